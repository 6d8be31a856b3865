import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRemoteSections } from '../../../src/sync/remoteListing';
import { extractTar, FOLDER_MISSING, listChangedSince, listRemoteTree } from '../../../src/sync/remoteScripts';
import { writeFile } from './hostileTree';

/** Runs a remote script here, as the SSH layer would run its argv on the host. */
function runHere(argv: string[], cwd: string, options: { env?: NodeJS.ProcessEnv; input?: Buffer } = {}): { code: number; stdout: Buffer } {
  const result = spawnSync(argv[0], argv.slice(1), { cwd, env: options.env, input: options.input });
  if (result.error) {
    throw result.error;
  }
  return { code: result.status ?? -1, stdout: result.stdout };
}

describe('remote script: changes since a checkpoint', function () {
  let home: string;
  let since: string;

  before(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'changed-since-'));
    writeFile(home, 'ws/owned/a.py', 'a');
    writeFile(home, 'ws/owned/sub/b.py', 'b');
    writeFile(home, 'ws/top.py', 'top');
    writeFile(home, 'ws/-rf', 'a name that looks like an option');
    writeFile(home, 'ws/outputs/old.pt', 'old');
    const past = new Date(Date.now() - 10_000);
    execFileSync('sh', ['-c', 'find ws -exec touch -h -d "@$1" {} +', 'sh', String(past.getTime() / 1000)], { cwd: home });
    // ctime cannot be set back: the checkpoint is taken now, and what follows is newer.
    execFileSync('sleep', ['0.05']);
    since = execFileSync('date', ['+%s.%N']).toString().trim();
    execFileSync('sleep', ['0.05']);
    fs.writeFileSync(path.join(home, 'ws/owned/sub/b.py'), 'edited');
    fs.rmSync(path.join(home, 'ws/top.py'));
    writeFile(home, 'ws/outputs/new.pt', 'a job wrote this');
  });

  after(function () {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists what changed, stamped with the clock, and the entries of each changed folder', function () {
    const { code, stdout } = runHere(listChangedSince('ws', since), home);
    assert.equal(code, 0);
    const [changed, folderEntries] = parseRemoteSections(stdout);
    assert.ok(Number(changed.stamp) > Number(since));
    assert.deepEqual([...changed.entries.keys()].sort(), ['.', 'outputs', 'outputs/new.pt', 'owned/sub/b.py']);
    assert.deepEqual([...folderEntries.entries.keys()].sort(), ['-rf', 'outputs', 'outputs/new.pt', 'outputs/old.pt', 'owned']);
    assert.equal(changed.entries.get('owned/sub/b.py')!.size, 6);
  });

  it('walks only the given top-level names below the folder', function () {
    const { code, stdout } = runHere(listChangedSince('ws', since, ['owned', '-rf']), home);
    assert.equal(code, 0);
    const [changed, folderEntries] = parseRemoteSections(stdout);
    assert.deepEqual([...changed.entries.keys()].sort(), ['.', 'owned/sub/b.py']);
    assert.ok(folderEntries.entries.has('outputs'), 'the folder itself changed, so its entries are listed');
    assert.ok(!folderEntries.entries.has('outputs/new.pt'));
  });

  it('says when the folder is gone', function () {
    assert.equal(runHere(listChangedSince('no-such-folder', since), home).code, FOLDER_MISSING);
  });
});

describe("remote scripts: the checkpoint is the synced folder's own clock, not `date`", function () {
  let home: string;
  let env: NodeJS.ProcessEnv;
  const ahead = 60;

  before(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-clock-'));
    // A `date` running a minute ahead of the clock that stamps the files (an NFS server's, or a stepped one).
    const bin = path.join(home, 'bin');
    fs.mkdirSync(bin);
    const realDate = execFileSync('sh', ['-c', 'command -v date']).toString().trim();
    fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\nexec ${realDate} -d "@$(( $(${realDate} +%s) + ${ahead} ))" "$@"\n`, {
      mode: 0o755,
    });
    env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    assert.ok(Number(execFileSync('date', ['+%s'], { env }).toString()) >= Date.now() / 1000 + ahead - 5, 'the stand-in runs ahead');
  });

  after(function () {
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** The mtime the filesystem gives a file made now. */
  const fileClock = (): number => {
    const probe = path.join(home, 'probe');
    fs.writeFileSync(probe, '');
    return fs.statSync(probe).mtimeMs / 1000;
  };

  it('stamps a listing with the mtime of a file made in the folder, leaving nothing behind, and makes the folder private', function () {
    const before = fileClock();
    const { code, stdout } = runHere(listRemoteTree('new/ws'), home, { env });
    const after = fileClock();
    assert.equal(code, 0);
    const [listing] = parseRemoteSections(stdout);
    assert.ok(Number(listing.stamp) >= before - 0.01 && Number(listing.stamp) <= after + 0.01, `${before} <= ${listing.stamp} <= ${after}`);
    assert.deepEqual([...listing.entries.keys()], []);
    assert.deepEqual(fs.readdirSync(path.join(home, 'new/ws')), [], 'no clock file left');
    assert.equal(fs.statSync(path.join(home, 'new/ws')).mode & 0o777, 0o700);
  });

  it('a folder synced before with group and other bits loses them', function () {
    fs.mkdirSync(path.join(home, 'open/ws'), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.join(home, 'open/ws'), 0o755);
    assert.equal(runHere(listRemoteTree('open/ws'), home, { env }).code, 0);
    assert.equal(fs.statSync(path.join(home, 'open/ws')).mode & 0o777, 0o700);
  });

  it('stamps the changes since a checkpoint by the same clock', function () {
    writeFile(home, 'ws2/a.py', 'a');
    const before = fileClock();
    const { code, stdout } = runHere(listChangedSince('ws2', String(Math.floor(before) - 5)), home, { env });
    const after = fileClock();
    assert.equal(code, 0);
    const [changed] = parseRemoteSections(stdout);
    assert.ok(Number(changed.stamp) >= before - 0.01 && Number(changed.stamp) <= after + 0.01, `${before} <= ${changed.stamp} <= ${after}`);
    assert.ok(changed.entries.has('a.py'));
  });

  it('lists what an unpack of many paths wrote, by the same clock, into a private folder', function () {
    const tar = execFileSync(
      'sh',
      ['-c', 'mkdir -p src && echo new > src/written.txt && chmod 644 src/written.txt && tar -C src -cf - written.txt'],
      {
        cwd: home,
      },
    );
    // Names past what fits on a command line: what was written is found by its ctime.
    const many = Array.from({ length: 2000 }, (_, i) => `folder/name-${i}-${'x'.repeat(20)}`);
    const { code, stdout } = runHere(extractTar('ws3', false, ['written.txt', ...many]), home, { env, input: tar });
    assert.equal(code, 0);
    const written = parseRemoteSections(stdout)[0].entries;
    assert.ok(written.has('written.txt'), `listed: ${[...written.keys()].join(', ')}`);
    assert.equal(fs.readFileSync(path.join(home, 'ws3/written.txt'), 'utf8'), 'new\n');
    assert.equal(fs.statSync(path.join(home, 'ws3')).mode & 0o777, 0o700);
  });
});
