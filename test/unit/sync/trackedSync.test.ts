import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SshConnectionPool } from '../../../src/ssh/connectionPool';
import type { SshTarget } from '../../../src/ssh/sshTarget';
import { ChangeTracker } from '../../../src/sync/changeTracker';
import type { FileEventSink, FileEventSource } from '../../../src/sync/fileEventSource';
import { nodeFileWatcher } from '../../../src/sync/nodeFileWatcher';
import { FileSyncStateStore } from '../../../src/sync/syncState';
import { syncWorkspace, type SyncResult } from '../../../src/sync/workspaceSync';
import { startTestHosts, trustHostKeys, type TestHosts } from '../ssh/testHosts';
import { writeFile } from './hostileTree';
import { localTree, remoteTree } from './treeDigest';

const REMOTE_DIR = '.azure-pytorch/ws/tracked-workspace';

/** Forwards fs.watch's events, except while `muted` (a watcher that missed something). */
class MutableSource implements FileEventSource {
  muted = false;
  private readonly inner: FileEventSource;
  constructor(root: string) {
    this.inner = nodeFileWatcher(root);
  }
  start(sink: FileEventSink) {
    return this.inner.start({
      pathChanged: (file, kind) => (this.muted ? undefined : sink.pathChanged(file, kind)),
      lostTrack: (reason) => sink.lostTrack(reason),
      stopped: (reason) => sink.stopped(reason),
    });
  }
  settled(): Promise<void> {
    return this.inner.settled();
  }
}

describe('workspace sync with a change tracker, against a simulated host', function () {
  let test: TestHosts;
  let pool: SshConnectionPool;
  let target: SshTarget;
  let root: string;
  let stateDir: string;
  let source: MutableSource;
  let tracker: ChangeTracker;

  before(async function () {
    test = await startTestHosts(['tracked0']);
    trustHostKeys(test);
    pool = test.pool();
    const host = test.hosts.host('tracked0');
    target = { host: host.address, user: test.hosts.user };
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracked-sync-'));
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracked-state-'));
    writeFile(root, '.gitignore', '*.log\n');
    writeFile(root, 'train.py', 'print("train")\n');
    writeFile(root, 'pkg/model.py', 'class Model: pass\n');
    writeFile(root, 'pkg/data/loader.py', 'def load(): pass\n');
    writeFile(root, 'notes.txt', 'some notes\n');
    writeFile(root, 'stable.py', 'untouched for an hour\n');
    const anHourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(root, 'stable.py'), anHourAgo, anHourAgo);
    writeFile(root, 'old.py', 'also old\n');
    fs.utimesSync(path.join(root, 'old.py'), anHourAgo, anHourAgo);
    source = new MutableSource(root);
    tracker = new ChangeTracker(source);
  });

  after(async function () {
    tracker?.dispose();
    await test?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const state = (): FileSyncStateStore => new FileSyncStateStore(stateDir);
  let store: FileSyncStateStore;
  const sync = async (): Promise<SyncResult> =>
    syncWorkspace(await pool.connection(target), {
      localRoot: root,
      remoteDir: REMOTE_DIR,
      maxFileSizeBytes: 1 << 20,
      state: (store ??= state()),
      targetKey: `${target.user}@${target.host}`,
      changes: tracker,
    });
  const isIgnored = (relative: string): boolean => relative.endsWith('.log');
  const assertTreesEqual = async (): Promise<void> => {
    assert.deepEqual(Object.fromEntries([...(await remoteTree(pool, target, REMOTE_DIR))].sort()), Object.fromEntries([...localTree(root, isIgnored)].sort()));
  };

  it('the first sync scans everything; the next one only what the tracker reports', async function () {
    const first = await sync();
    assert.equal(first.localScan.kind, 'full');
    await assertTreesEqual();
    const again = await sync();
    assert.equal(again.localScan.kind, 'tracked');
    assert.equal(again.uploadedFiles, 0);
  });

  const steps: Array<[string, () => void, (result: SyncResult) => void]> = [
    ['an edit', () => fs.appendFileSync(path.join(root, 'pkg/model.py'), '# more\n'), (result) => assert.equal(result.uploadedFiles, 1)],
    ['a new file and a new folder tree', () => ['new.py', 'fresh/a/b.py', 'fresh/c.py', 'fresh/skip.log'].forEach((file) => writeFile(root, file, file)), (result) => assert.equal(result.uploadedFiles, 3)],
    ['a deleted file', () => fs.rmSync(path.join(root, 'new.py')), (result) => assert.deepEqual(result.removed.map((each) => each.path), ['new.py'])],
    ['a renamed file', () => fs.renameSync(path.join(root, 'notes.txt'), path.join(root, 'pkg/notes.md')), (result) => assert.equal(result.removed.length, 1)],
    ['a renamed folder', () => fs.renameSync(path.join(root, 'fresh'), path.join(root, 'pkg/fresh2')), (result) => assert.ok(result.removed.length >= 4)],
    ['a deleted folder tree', () => fs.rmSync(path.join(root, 'pkg/data'), { recursive: true }), (result) => assert.ok(result.removed.some((each) => each.path === 'pkg/data'))],
  ];
  for (const [name, change, check] of steps) {
    it(`after ${name}: a tracked re-sync leaves the remote tree equal to the local one`, async function () {
      change();
      const result = await sync();
      assert.equal(result.localScan.kind, 'tracked', result.localScan.reason);
      check(result);
      await assertTreesEqual();
    });
  }

  it('a reported edit that keeps the size and the mtime is sent', async function () {
    // Its hash is cached (it was hashed long after its mtime): only the report makes the sync look.
    const file = path.join(root, 'old.py');
    const { mtime, size } = fs.statSync(file);
    fs.writeFileSync(file, 'ALSO OLD\n');
    fs.utimesSync(file, mtime, mtime);
    assert.equal(fs.statSync(file).size, size);
    const result = await sync();
    assert.equal(result.localScan.kind, 'tracked');
    assert.equal(result.uploadedFiles, 1);
    await assertTreesEqual();
  });

  it('a .gitignore change forces a full scan, and the newly ignored file stays on the remote side', async function () {
    writeFile(root, '.gitignore', '*.log\n*.md\n');
    const result = await sync();
    assert.equal(result.localScan.kind, 'full');
    assert.match(result.localScan.reason!, /\.gitignore changed/);
    assert.equal(result.removed.length, 0);
    const tracked = await sync();
    assert.equal(tracked.localScan.kind, 'tracked');
    writeFile(root, '.gitignore', '*.log\n');
    await sync();
    await assertTreesEqual();
  });

  it('a change the watcher missed is not seen by a tracked re-sync, and is after an overflow', async function () {
    const file = path.join(root, 'stable.py');
    const { mtime } = fs.statSync(file);
    source.muted = true;
    fs.writeFileSync(file, 'UNTOUCHED FOR AN HOUR\n');
    fs.utimesSync(file, mtime, mtime);
    await new Promise((resolve) => setTimeout(resolve, 300));
    source.muted = false;
    const missed = await sync();
    assert.equal(missed.localScan.kind, 'tracked');
    assert.equal(missed.uploadedFiles, 0);
    tracker.lostTrack('queue overflow');
    const fallback = await sync();
    assert.deepEqual(fallback.localScan, { kind: 'full', reason: 'queue overflow' });
    assert.equal(fallback.uploadedFiles, 1);
    await assertTreesEqual();
  });
});
