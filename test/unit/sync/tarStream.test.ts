import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanWorkspace } from '../../../src/sync/localScan';
import { createTarStream, type SentFile } from '../../../src/sync/tarStream';
import { writeFile } from './hostileTree';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The tar stream is a Readable of Buffers; anything else is a bug worth a clear failure. */
function tarChunk(chunk: unknown): Buffer {
  if (!Buffer.isBuffer(chunk)) {
    throw new Error(`the tar stream yielded ${typeof chunk}, not a Buffer`);
  }
  return chunk;
}

describe('tar stream', function () {
  let root: string;
  let out: string;

  beforeEach(function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-stream-'));
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-stream-out-'));
  });

  afterEach(function () {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  /** Archives the scanned entries, extracts the archive with GNU tar into `out`, returns what was reported sent. */
  const archive = async (beforeSending: () => void = () => undefined): Promise<Map<string, SentFile>> => {
    const { entries } = await scanWorkspace(root, { maxFileSizeBytes: 64 << 20 });
    beforeSending();
    const sent = new Map<string, SentFile>();
    const chunks: Buffer[] = [];
    for await (const chunk of createTarStream({ root, entries, onFileSent: (file) => sent.set(file.entry.path, file) }))
      chunks.push(tarChunk(chunk));
    const tar = Buffer.concat(chunks);
    assert.equal(tar.length % 512, 0);
    execFileSync('tar', ['-x', '-p', '-f', '-', '-C', out], { input: tar });
    return sent;
  };

  it('packs files across chunk boundaries, folders, links and empty files, hashing what it sends', async function () {
    const big = randomBytes((1 << 20) * 2 + 777);
    writeFile(root, 'big.bin', big);
    for (let i = 0; i < 300; i++) writeFile(root, `many/f${i}.txt`, `file ${i}\n`.repeat(i));
    writeFile(root, 'exec.sh', '#!/bin/sh\n', 0o755);
    fs.symlinkSync('big.bin', path.join(root, 'link'));
    const sent = await archive();
    assert.ok(fs.readFileSync(path.join(out, 'big.bin')).equals(big));
    assert.equal(sent.get('big.bin')?.hash, sha256(big));
    for (let i = 0; i < 300; i++) assert.equal(fs.readFileSync(path.join(out, `many/f${i}.txt`), 'utf8'), `file ${i}\n`.repeat(i));
    assert.equal(sent.get('many/f0.txt')?.hash, sha256(Buffer.alloc(0)));
    // Owner bits only: nobody else on the VM reads the workspace (0o755 → 0o700, 0o644 → 0o600).
    assert.equal(fs.statSync(path.join(out, 'exec.sh')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(out, 'big.bin')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(out, 'many')).mode & 0o777, 0o700);
    assert.equal(fs.readlinkSync(path.join(out, 'link')), 'big.bin');
  });

  it('skips files that vanished or stopped being regular files after the scan, without blocking', async function () {
    writeFile(root, 'gone.txt', 'gone');
    writeFile(root, 'fifo', 'becomes a pipe');
    writeFile(root, 'link', 'becomes a link out of the workspace');
    writeFile(root, 'kept.txt', 'kept');
    const sent = await archive(() => {
      fs.rmSync(path.join(root, 'gone.txt'));
      fs.rmSync(path.join(root, 'fifo'));
      execFileSync('mkfifo', [path.join(root, 'fifo')]);
      fs.rmSync(path.join(root, 'link'));
      fs.symlinkSync('/etc/hostname', path.join(root, 'link'));
    });
    assert.deepEqual(fs.readdirSync(out).sort(), ['kept.txt']);
    assert.deepEqual([...sent.keys()], ['kept.txt']);
  });

  it('a file that shrinks while it is sent keeps the archive valid and reports no hash', async function () {
    const size = 8 << 20;
    writeFile(root, 'a.bin', Buffer.alloc(size, 1));
    writeFile(root, 'b.txt', 'after');
    const { entries } = await scanWorkspace(root, { maxFileSizeBytes: 64 << 20 });
    const sent = new Map<string, SentFile>();
    const chunks: Buffer[] = [];
    for await (const chunk of createTarStream({ root, entries, onFileSent: (file) => sent.set(file.entry.path, file) })) {
      if (chunks.length === 0) fs.truncateSync(path.join(root, 'a.bin'), 1000);
      chunks.push(tarChunk(chunk));
    }
    execFileSync('tar', ['-x', '-f', '-', '-C', out], { input: Buffer.concat(chunks) });
    assert.equal(fs.statSync(path.join(out, 'a.bin')).size, size);
    assert.equal(fs.readFileSync(path.join(out, 'b.txt'), 'utf8'), 'after');
    assert.equal(sent.get('a.bin')?.hash, undefined);
    assert.equal(sent.get('b.txt')?.hash, sha256(Buffer.from('after')));
  });
});
