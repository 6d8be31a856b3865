import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SshConnectionPool } from '../../../src/ssh/connectionPool';
import type { SshTarget } from '../../../src/ssh/sshTarget';
import { WorkspaceTracker } from '../../../src/sync/workspaceTracker';
import { FileSyncStateStore } from '../../../src/sync/syncState';
import { WorkspaceWatcher } from '../../../src/sync/workspaceWatcher';
import { syncWorkspace, type SyncResult, type WorkspaceSyncOptions } from '../../../src/sync/workspaceSync';
import { startTestHosts, trustHostKeys, type TestHosts } from '../ssh/testHosts';
import { HOSTILE_NAMES, writeFile } from '../../unit/sync/hostileTree';

const REMOTE_DIR = '.azure-pytorch/ws/test-workspace';
const LIMIT = 64 * 1024;

/** path → `d`, `l:<target>` or `f:<755|644>:<sha256>`, for the remote tree (read with find and sha256sum). */
async function remoteTree(pool: SshConnectionPool, target: SshTarget): Promise<Map<string, string>> {
  const listing = await pool.execText(target, [
    'sh',
    '-c',
    'cd -- "$1" && find . -mindepth 1 -printf "%y\\0%m\\0%P\\0%l\\0"',
    'sh',
    REMOTE_DIR,
  ]);
  assert.equal(listing.code, 0, listing.stderr);
  const sums = await pool.execText(target, [
    'sh',
    '-c',
    'cd -- "$1" && find . -type f -print0 | xargs -0 -r sha256sum -z --',
    'sh',
    REMOTE_DIR,
  ]);
  assert.equal(sums.code, 0, sums.stderr);
  const hashes = new Map<string, string>();
  for (const record of sums.stdout.split('\0').filter(Boolean)) hashes.set(record.slice(66).replace(/^\.\//, ''), record.slice(0, 64));
  const tree = new Map<string, string>();
  const fields = listing.stdout.split('\0');
  for (let i = 0; i + 4 <= fields.length; i += 4) {
    const [kind, mode, file, link] = fields.slice(i, i + 4);
    if (kind === 'd') tree.set(file, 'd');
    else if (kind === 'l') tree.set(file, `l:${link}`);
    else tree.set(file, `f:${parseInt(mode, 8) & 0o111 ? '755' : '644'}:${hashes.get(file)}`);
  }
  return tree;
}

/** The same digest of the local tree, written independently of the sync's own scanner. */
function localTree(root: string, excluded: (relative: string) => boolean): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (relativeDir: string): void => {
    for (const name of fs.readdirSync(path.join(root, relativeDir))) {
      const relative = relativeDir ? `${relativeDir}/${name}` : name;
      if (excluded(relative)) continue;
      const full = path.join(root, relative);
      const stat = fs.lstatSync(full);
      if (stat.isSymbolicLink()) tree.set(relative, `l:${fs.readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        tree.set(relative, 'd');
        walk(relative);
      } else {
        const hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        tree.set(relative, `f:${stat.mode & 0o111 ? '755' : '644'}:${hash}`);
      }
    }
  };
  walk('');
  return tree;
}

const EXCLUDED = new Set(['.git', 'debug.log', 'data', 'big.bin', 'escape', 'absolute-link', 'sub/secret.txt', 'sub/build', 'venv']);
const isExcluded = (relative: string): boolean => EXCLUDED.has(relative);

for (const watched of [false, true])
  describe(`workspace sync against a simulated host${watched ? ', with the local scan kept by a watcher' : ''}`, function () {
    let test: TestHosts;
    let pool: SshConnectionPool;
    let target: SshTarget;
    let root: string;
    let stateDir: string;
    let state: FileSyncStateStore;
    let tracker: WorkspaceTracker | undefined;

    before(async function () {
      test = await startTestHosts(['sync0']);
      trustHostKeys(test);
      pool = test.pool();
      const host = test.hosts.host('sync0');
      target = { host: host.address, user: test.hosts.user };
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-workspace-'));
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-state-'));
      state = new FileSyncStateStore(stateDir);
      tracker = watched && WorkspaceWatcher.supported ? new WorkspaceTracker(root) : undefined;
      writeFile(root, 'train.py', 'import torch\nprint("hello")\n');
      writeFile(root, 'run.sh', '#!/bin/sh\necho run\n', 0o755);
      writeFile(root, 'pkg/__init__.py', '');
      writeFile(root, 'pkg/model.py', 'class Model: pass\n'.repeat(100));
      writeFile(root, '.gitignore', '*.log\n!keep.log\nvenv/\n');
      writeFile(root, 'debug.log', 'noise');
      writeFile(root, 'keep.log', 'kept by a negation');
      writeFile(root, 'sub/.gitignore', 'secret.txt\n/build/\n');
      writeFile(root, 'sub/secret.txt', 'never leaves');
      writeFile(root, 'sub/build/out.o', 'binary');
      writeFile(root, 'sub/deep/build/kept.txt', 'an unanchored /build/ only matches at sub/');
      writeFile(root, '.azurepytorchignore', 'data/\n');
      writeFile(root, 'data/train.csv', '1,2,3\n');
      writeFile(root, 'venv/bin/python', 'x');
      writeFile(root, '.git/HEAD', 'ref: refs/heads/main\n');
      writeFile(root, 'big.bin', Buffer.alloc(LIMIT + 1, 7));
      writeFile(root, 'medium.bin', Buffer.alloc(LIMIT - 1, 9));
      fs.mkdirSync(path.join(root, 'empty-dir'));
      fs.symlinkSync('pkg', path.join(root, 'link-to-pkg'));
      fs.symlinkSync('pkg/model.py', path.join(root, 'link-to-model'));
      fs.symlinkSync('../../etc', path.join(root, 'escape'));
      fs.symlinkSync('/etc/passwd', path.join(root, 'absolute-link'));
    });

    after(async function () {
      tracker?.dispose();
      await test?.dispose();
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    });

    const sync = async (overrides: Partial<WorkspaceSyncOptions> = {}): Promise<SyncResult> =>
      syncWorkspace(await pool.connection(target), {
        localRoot: root,
        remoteDir: REMOTE_DIR,
        maxFileSizeBytes: LIMIT,
        state,
        targetKey: `${target.user}@${target.host}`,
        tracker,
        ...overrides,
      });

    /** A re-sync that trusted the saved records (nothing listed) and, with a watcher, scanned only changes. */
    const assertQuick = (result: SyncResult): void => {
      assert.equal(result.remoteCheck, 'changes-since-last-sync');
      if (tracker) assert.equal(result.localScan, 'changes');
    };

    const assertTreesEqual = async (): Promise<void> => {
      assert.deepEqual(
        Object.fromEntries([...(await remoteTree(pool, target))].sort()),
        Object.fromEntries([...localTree(root, isExcluded)].sort()),
      );
    };

    it('first sync: the remote tree equals the local tree minus what is excluded, byte for byte', async function () {
      const result = await sync();
      await assertTreesEqual();
      const reasons = Object.fromEntries(result.excluded.map((each) => [each.path, each.reason.kind]));
      assert.deepEqual(reasons, {
        '.git': 'git-folder',
        'absolute-link': 'symlink-outside',
        'big.bin': 'too-large',
        data: 'ignored',
        'debug.log': 'ignored',
        escape: 'symlink-outside',
        'sub/build': 'ignored',
        'sub/secret.txt': 'ignored',
        venv: 'ignored',
      });
      assert.ok(result.uploadedFiles >= 8);
    });

    it('nobody else on the VM can read the synced files: owner-only modes, a private folder', async function () {
      const open = await pool.execText(target, ['find', REMOTE_DIR, '!', '-type', 'l', '-perm', '/077']);
      assert.equal(open.code, 0, open.stderr);
      assert.equal(open.stdout, '', 'paths with group or other bits');
      const modes = await pool.execText(target, ['stat', '-c', '%a %n', `${REMOTE_DIR}/run.sh`, `${REMOTE_DIR}/train.py`]);
      assert.equal(modes.stdout, `700 ${REMOTE_DIR}/run.sh\n600 ${REMOTE_DIR}/train.py\n`, 'the executable bit still goes across');
    });

    it('a re-sync with nothing changed sends nothing, even after a touch (content, not mtime)', async function () {
      const later = new Date(Date.now() + 60_000);
      fs.utimesSync(path.join(root, 'train.py'), later, later);
      const result = await sync();
      assert.equal(result.uploadedFiles, 0);
      assert.equal(result.removed.length, 0);
      assertQuick(result);
    });

    it('sends only the one edited file', async function () {
      writeFile(root, 'pkg/model.py', 'class Model:\n    layers = 3\n');
      const result = await sync();
      assert.equal(result.uploadedFiles, 1);
      assertQuick(result);
      assert.equal(result.uploadedBytes, fs.statSync(path.join(root, 'pkg/model.py')).size);
      await assertTreesEqual();
    });

    it('an edit that keeps the size and the mtime is still found', async function () {
      const file = path.join(root, 'keep.log');
      const { mtime, size } = fs.statSync(file);
      fs.writeFileSync(file, 'KEPT BY A NEGATION');
      assert.equal(fs.statSync(file).size, size);
      fs.utimesSync(file, mtime, mtime);
      const result = await sync();
      assert.equal(result.uploadedFiles, 1);
      await assertTreesEqual();
    });

    it('deletes a file deleted locally, and renames as delete plus add', async function () {
      fs.rmSync(path.join(root, 'pkg/__init__.py'));
      fs.renameSync(path.join(root, 'train.py'), path.join(root, 'main.py'));
      const result = await sync();
      assert.deepEqual(result.removed.map((removal) => removal.path).sort(), ['pkg/__init__.py', 'train.py']);
      assert.equal(result.uploadedFiles, 1);
      assertQuick(result);
      await assertTreesEqual();
    });

    it('hostile names (spaces, quotes, newlines, unicode, leading dashes, long) survive intact', async function () {
      for (const name of HOSTILE_NAMES) writeFile(root, `weird/${name}`, `content of ${name}\n`);
      writeFile(root, `weird/-dir with space/${HOSTILE_NAMES[5]}`, 'nested');
      fs.symlinkSync(HOSTILE_NAMES[1], path.join(root, 'weird', 'link to quoted'));
      await sync();
      await assertTreesEqual();
      fs.rmSync(path.join(root, 'weird', '-rf'));
      fs.rmSync(path.join(root, 'weird', HOSTILE_NAMES[5]));
      const result = await sync();
      assert.equal(result.removed.length, 2);
      await assertTreesEqual();
    });

    it('follows type changes (file to folder, folder to symlink) and mode changes', async function () {
      fs.rmSync(path.join(root, 'run.sh'));
      writeFile(root, 'run.sh/inner.txt', 'now a folder');
      fs.rmSync(path.join(root, 'empty-dir'), { recursive: true });
      fs.symlinkSync('pkg', path.join(root, 'empty-dir'));
      fs.chmodSync(path.join(root, 'main.py'), 0o755);
      await sync();
      await assertTreesEqual();
    });

    it("leaves files it never sent (a job's outputs) and files excluded since, and never leaves the folder", async function () {
      const job =
        'mkdir -p "$1/outputs" "$1/pkg/__pycache__" && echo ckpt > "$1/outputs/model.pt" && ' +
        'echo pyc > "$1/pkg/__pycache__/model.pyc" && echo keep > .azure-pytorch/outside.txt';
      const outside = await pool.execText(target, ['sh', '-c', job, 'sh', REMOTE_DIR]);
      assert.equal(outside.code, 0, outside.stderr);
      writeFile(root, 'pkg/notes.txt', 'synced, then ignored\n');
      assertQuick(await sync()); // what a job writes in the synced folder is not a change to the synced files
      writeFile(root, '.azurepytorchignore', 'data/\nnotes.txt\n');
      const result = await sync();
      assert.equal(result.removed.length, 0);
      const check = await pool.execText(target, [
        'sh',
        '-c',
        'cat "$1/outputs/model.pt" "$1/pkg/notes.txt" .azure-pytorch/outside.txt',
        'sh',
        REMOTE_DIR,
      ]);
      assert.equal(check.stdout, 'ckpt\nsynced, then ignored\nkeep\n');
      await pool.execText(target, ['sh', '-c', 'rm -r "$1/outputs" "$1/pkg/notes.txt" "$1/pkg/__pycache__"', 'sh', REMOTE_DIR]);
      fs.rmSync(path.join(root, 'pkg/notes.txt'));
    });

    it('without saved state (another machine, lost storage) compares by hashing both sides and deletes nothing unknown', async function () {
      const freshState = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-state-fresh-'));
      try {
        const result = await sync({ state: new FileSyncStateStore(freshState) });
        assert.equal(result.uploadedFiles, 0);
        assert.equal(result.removed.length, 0);
      } finally {
        fs.rmSync(freshState, { recursive: true, force: true });
      }
    });

    it('a file changed on the remote side since the last sync is sent again', async function () {
      const edit = await pool.execText(target, ['sh', '-c', 'printf tampered > "$1/main.py"', 'sh', REMOTE_DIR]);
      assert.equal(edit.code, 0);
      const result = await sync();
      assert.equal(result.uploadedFiles, 1);
      assert.equal(result.remoteCheck, 'listing');
      await assertTreesEqual();
    });

    it("a remote edit just after a sync is found even when the remote `date` runs ahead of the files' clock", async function () {
      // The host's /usr/local/bin comes first on its PATH: a `date` there a minute ahead, as on an
      // NFS home whose server stamps the files by its own clock.
      const fakeDate = path.join(test.hosts.stateDir, 'hosts', 'sync0', 'bin', 'date');
      fs.writeFileSync(fakeDate, '#!/bin/sh\nexec /bin/date -d "@$(( $(/bin/date +%s) + 60 ))" "$@"\n', { mode: 0o755 });
      try {
        const skew = await pool.execText(target, ['sh', '-c', 'echo $(( $(date +%s) - $(/bin/date +%s) ))']);
        assert.ok(Number(skew.stdout) >= 59, `the remote date runs ahead: ${skew.stdout}`);
        writeFile(root, 'clock.txt', 'synced\n');
        await sync();
        const edit = await pool.execText(target, ['sh', '-c', 'printf "edited\\n" > "$1/clock.txt"', 'sh', REMOTE_DIR]);
        assert.equal(edit.code, 0, edit.stderr);
        const result = await sync();
        assert.equal(result.uploadedFiles, 1, 'the remote edit was not seen: the remote keeps the stale file');
        await assertTreesEqual();
      } finally {
        fs.rmSync(fakeDate, { force: true });
      }
    });

    it('a synced file removed, or replaced keeping its size and mtime, on the remote side is sent again', async function () {
      const edit = await pool.execText(target, [
        'sh',
        '-c',
        'cd "$1" && rm pkg/model.py && touch -r keep.log -c keep.log && ' +
          'printf "KEPT BY A NEGATiON" > k && touch -r keep.log k && mv k keep.log',
        'sh',
        REMOTE_DIR,
      ]);
      assert.equal(edit.code, 0, edit.stderr);
      const result = await sync();
      assert.equal(result.remoteCheck, 'listing');
      assert.equal(result.uploadedFiles, 2);
      await assertTreesEqual();
      assertQuick(await sync());
    });

    it('a synced folder deleted on the remote side is sent again in full', async function () {
      const gone = await pool.execText(target, ['sh', '-c', 'rm -rf -- "$1"', 'sh', REMOTE_DIR]);
      assert.equal(gone.code, 0, gone.stderr);
      const result = await sync();
      assert.equal(result.remoteCheck, 'listing');
      assert.ok(result.uploadedFiles >= 8);
      await assertTreesEqual();
    });

    it('gzip-compressed transfer gives the same tree', async function () {
      writeFile(root, 'compressible.txt', 'the same line again\n'.repeat(3000));
      const result = await sync({ compression: 'always' });
      assert.equal(result.compressed, true);
      assert.ok(result.transferredBytes < result.uploadedBytes / 5, `${result.transferredBytes} of ${result.uploadedBytes}`);
      await assertTreesEqual();
    });
  });
