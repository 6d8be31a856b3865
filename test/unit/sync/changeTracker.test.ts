import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChangeTracker } from '../../../src/sync/changeTracker';
import type { FileEventSink, FileEventSource } from '../../../src/sync/fileEventSource';
import { scanWorkspace, type LocalScan } from '../../../src/sync/localScan';
import { nodeFileWatcher } from '../../../src/sync/nodeFileWatcher';
import { updateScan } from '../../../src/sync/trackedScan';
import { writeFile } from './hostileTree';

/** A source the test drives by hand. */
class ManualSource implements FileEventSource {
  sink: FileEventSink | undefined;
  start(sink: FileEventSink) {
    this.sink = sink;
    return { dispose: () => (this.sink = undefined) };
  }
  settled(): Promise<void> {
    return Promise.resolve();
  }
}

const EMPTY_SCAN: LocalScan = { entries: [], excluded: [] };

describe('ChangeTracker', function () {
  const limits = { maxChangedPaths: 5, maxBaselineAgeMs: 60_000 };

  it('has nothing to offer before a sync completed while it was tracking', async function () {
    const tracker = new ChangeTracker(new ManualSource(), limits);
    const round = await tracker.beginRound('settings');
    assert.equal(round.changes, undefined);
    assert.match(round.fullScanReason!, /no earlier sync/);
  });

  it('reports the paths changed since the last completed round, and folders for creates, deletes and moves', async function () {
    const source = new ManualSource();
    const tracker = new ChangeTracker(source, limits);
    (await tracker.beginRound('settings')).complete(EMPTY_SCAN);
    source.sink!.pathChanged('src/a.py', 'changed');
    source.sink!.pathChanged('src/new/b.py', 'created');
    source.sink!.pathChanged('.git/index', 'changed');
    source.sink!.pathChanged('sub/.git/HEAD', 'changed');
    const round = await tracker.beginRound('settings');
    assert.equal(round.fullScanReason, undefined);
    assert.deepEqual([...round.changes!.paths].sort(), ['src/a.py', 'src/new/b.py']);
    assert.deepEqual([...round.changes!.folders], ['src/new']);
    assert.equal(round.baseline, EMPTY_SCAN);
    source.sink!.pathChanged('during.py', 'changed'); // while that sync runs: for the next one
    round.complete(EMPTY_SCAN);
    assert.deepEqual([...(await tracker.beginRound('settings')).changes!.paths], ['during.py']);
  });

  it('asks for a full scan after an overflow, too many changes, an ignore-file change, other settings, a failed sync or an old baseline', async function () {
    let now = 0;
    const source = new ManualSource();
    const tracker = new ChangeTracker(source, limits, () => now);
    const trusted = async (): Promise<boolean> => (await tracker.beginRound('settings')).changes !== undefined;
    const completeFull = async (): Promise<void> => (await tracker.beginRound('settings')).complete(EMPTY_SCAN);
    await completeFull();
    source.sink!.lostTrack('queue overflow');
    assert.equal((await tracker.beginRound('settings')).fullScanReason, 'queue overflow');
    // The failed (never completed) round above leaves no baseline.
    assert.equal(await trusted(), false);
    await completeFull();
    for (let i = 0; i < 6; i++) source.sink!.pathChanged(`f${i}`, 'changed');
    assert.equal(await trusted(), false);
    await completeFull();
    source.sink!.pathChanged('pkg/.gitignore', 'changed');
    assert.equal(await trusted(), false);
    await completeFull();
    source.sink!.pathChanged('.azurepytorchignore', 'created');
    assert.equal(await trusted(), false);
    await completeFull();
    assert.match((await tracker.beginRound('other settings')).fullScanReason!, /settings changed/);
    await completeFull();
    now = 60_001;
    assert.match((await tracker.beginRound('settings')).fullScanReason!, /too old/);
    await completeFull();
    await tracker.beginRound('settings'); // a sync that failed: never completed
    assert.equal(await trusted(), false);
  });

  it('keeps the baseline of the latest round when two syncs overlap', async function () {
    const source = new ManualSource();
    const tracker = new ChangeTracker(source, limits);
    (await tracker.beginRound('s')).complete(EMPTY_SCAN);
    source.sink!.pathChanged('a', 'changed');
    const first = await tracker.beginRound('s');
    const second = await tracker.beginRound('s');
    const secondScan: LocalScan = { entries: [], excluded: [] };
    second.complete(secondScan);
    first.complete(EMPTY_SCAN);
    assert.equal((await tracker.beginRound('s')).baseline, secondScan);
  });

  it('never trusts a stopped watcher again', async function () {
    const source = new ManualSource();
    const tracker = new ChangeTracker(source, limits);
    source.sink!.stopped('the watcher closed');
    for (let i = 0; i < 2; i++) (await tracker.beginRound('s')).complete(EMPTY_SCAN);
    assert.equal((await tracker.beginRound('s')).fullScanReason, 'the watcher closed');
  });
});

describe('tracked scan update with fs.watch', function () {
  let root: string;
  let tracker: ChangeTracker;
  let manual: ManualSource;
  let manualTracker: ChangeTracker;
  const options = { maxFileSizeBytes: 1000, excludes: ['*.tmp'] };

  before(async function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracked-scan-'));
    writeFile(root, '.gitignore', 'build/\n*.log\n!keep.log\n');
    writeFile(root, 'pkg/.gitignore', 'secret.txt\n');
    writeFile(root, 'pkg/a.py', 'a');
    writeFile(root, 'pkg/secret.txt', 's');
    writeFile(root, 'pkg/sub/b.py', 'b');
    writeFile(root, 'build/out.o', 'o');
    writeFile(root, 'top.py', 'top');
    fs.symlinkSync('pkg/sub', path.join(root, 'link'));
    tracker = new ChangeTracker(nodeFileWatcher(root));
    manual = new ManualSource();
    manualTracker = new ChangeTracker(manual);
    for (const each of [tracker, manualTracker]) (await each.beginRound('s')).complete(await scanWorkspace(root, options));
  });

  after(function () {
    tracker.dispose();
    manualTracker.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Runs a tracked update and checks it equals a full scan; returns the round's changes. */
  const assertMatchesFullScan = async (): Promise<void> => {
    const round = await tracker.beginRound('s');
    assert.ok(round.changes, round.fullScanReason);
    const updated = await updateScan(root, round.baseline!, round.changes, options);
    assert.deepEqual(updated, await scanWorkspace(root, options));
    round.complete(updated);
  };

  const steps: Array<[string, () => void]> = [
    ['an edit', () => fs.appendFileSync(path.join(root, 'pkg/a.py'), 'more')],
    ['a file growing past the size limit', () => fs.writeFileSync(path.join(root, 'top.py'), Buffer.alloc(1001))],
    ['new files, an ignored one and one excluded by the settings', () => ['pkg/c.py', 'debug.log', 'keep.log', 'x.tmp', 'build/more.o'].forEach((file) => writeFile(root, file, file))],
    ['a new folder tree', () => ['deep/er/x.py', 'deep/er/secret.txt', 'deep/y.log'].forEach((file) => writeFile(root, file, file))],
    ['deleting a file', () => fs.rmSync(path.join(root, 'pkg/c.py'))],
    ['renaming a file', () => fs.renameSync(path.join(root, 'pkg/a.py'), path.join(root, 'pkg/sub/a2.py'))],
    ['renaming a folder (a symlink now dangles)', () => fs.renameSync(path.join(root, 'pkg/sub'), path.join(root, 'moved'))],
    ['deleting a folder tree', () => fs.rmSync(path.join(root, 'deep'), { recursive: true })],
    ['a file replaced by a folder, a folder by a file', () => {
      fs.rmSync(path.join(root, 'top.py'));
      writeFile(root, 'top.py/inside.py', 'i');
      fs.rmSync(path.join(root, 'moved'), { recursive: true });
      writeFile(root, 'moved', 'now a file');
    }],
    ['a nested .git folder', () => writeFile(root, 'pkg/.git/HEAD', 'ref')],
  ];
  for (const [name, change] of steps) {
    it(`after ${name}, equals a full scan`, async function () {
      change();
      await assertMatchesFullScan();
    });
  }

  it('a folder moved, reported as one event per folder name (as VS Code\'s watcher does), equals a full scan', async function () {
    (await manualTracker.beginRound('s')).complete(await scanWorkspace(root, options));
    writeFile(root, 'tree/a/b.py', 'b');
    manual.sink!.pathChanged('tree', 'created');
    let round = await manualTracker.beginRound('s');
    let updated = await updateScan(root, round.baseline!, round.changes!, options);
    assert.deepEqual(updated, await scanWorkspace(root, options));
    round.complete(updated);
    fs.renameSync(path.join(root, 'tree'), path.join(root, 'pkg/tree2'));
    manual.sink!.pathChanged('tree', 'deleted');
    manual.sink!.pathChanged('pkg/tree2', 'created');
    round = await manualTracker.beginRound('s');
    updated = await updateScan(root, round.baseline!, round.changes!, options);
    assert.deepEqual(updated, await scanWorkspace(root, options));
    round.complete(updated);
  });

  it('uses the reported paths: a change not reported is not seen until a full scan', async function () {
    fs.appendFileSync(path.join(root, 'keep.log'), 'not reported');
    const round = await manualTracker.beginRound('s');
    assert.ok(round.changes);
    const full = await scanWorkspace(root, options);
    assert.notDeepEqual(await updateScan(root, round.baseline!, round.changes, options), full);
    manual.sink!.lostTrack('overflow');
    round.complete(full);
    const fallback = await manualTracker.beginRound('s');
    assert.equal(fallback.changes, undefined);
  });
});
