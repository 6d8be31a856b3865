import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { comparePaths, scanWorkspace, type LocalScan } from '../../../src/sync/localScan';
import { WorkspaceTracker } from '../../../src/sync/workspaceTracker';
import { WorkspaceWatcher } from '../../../src/sync/workspaceWatcher';
import { writeFile } from './hostileTree';

const OPTIONS = { maxFileSizeBytes: 1000, excludes: ['*.tmp'] };

/** What a scan says, in a form two scans can be compared by (statKey and mtime left out: they are what the tracker re-reads). */
function summary(scan: LocalScan): unknown {
  return {
    entries: [...scan.entries]
      .sort((a, b) => comparePaths(a.path, b.path))
      .map((e) => `${e.type}:${e.path}:${e.size}:${e.mode.toString(8)}:${e.linkTarget ?? ''}`),
    excluded: scan.excluded.map((e) => `${e.path}:${e.reason.kind}`),
  };
}

(WorkspaceWatcher.supported ? describe : describe.skip)('workspace tracker (local scan kept current by a watcher)', function () {
  let root: string;
  let tracker: WorkspaceTracker;

  beforeEach(function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-'));
    writeFile(root, 'train.py', 'print(1)\n');
    writeFile(root, 'pkg/model.py', 'class Model: pass\n');
    writeFile(root, 'pkg/deep/util.py', 'x = 1\n');
    writeFile(root, '.gitignore', 'outputs/\n*.log\n');
    writeFile(root, 'outputs/ckpt.pt', 'weights');
    tracker = new WorkspaceTracker(root);
  });

  afterEach(function () {
    tracker.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Scans with the tracker and checks it against a full scan of the same tree. */
  const scanAndCompare = async (): Promise<boolean> => {
    const tracked = await tracker.scan(OPTIONS);
    assert.deepEqual(summary(tracked), summary(await scanWorkspace(root, OPTIONS)));
    return tracked.incremental;
  };

  it('walks everything first, then re-reads only what changed — a change made just before the scan included', async function () {
    assert.equal(await scanAndCompare(), false);
    assert.equal(await scanAndCompare(), true);
    fs.appendFileSync(path.join(root, 'pkg/model.py'), '# edited\n');
    const scan = await tracker.scan(OPTIONS);
    assert.equal(scan.incremental, true);
    assert.equal(scan.entries.find((entry) => entry.path === 'pkg/model.py')?.size, fs.statSync(path.join(root, 'pkg/model.py')).size);
  });

  it('follows adds, deletes, folder renames, type changes, symlinks, size limits and exclusions', async function () {
    await scanAndCompare();
    const steps: Array<() => void> = [
      () => writeFile(root, 'new/nested/a.py', 'a'),
      () => fs.rmSync(path.join(root, 'train.py')),
      () => fs.renameSync(path.join(root, 'pkg'), path.join(root, 'pkg2')),
      () => writeFile(root, 'pkg2/deep/util.py', 'x = 2  # edited after the rename\n'),
      () => {
        fs.rmSync(path.join(root, 'new'), { recursive: true });
        writeFile(root, 'new', 'now a file');
      },
      () => fs.symlinkSync('pkg2/model.py', path.join(root, 'link')),
      () => fs.symlinkSync('/etc/passwd', path.join(root, 'outside')),
      () => writeFile(root, 'big.bin', Buffer.alloc(2000)),
      () => writeFile(root, 'debug.log', 'ignored by .gitignore'),
      () => writeFile(root, 'scratch.tmp', 'ignored by the setting'),
      () => fs.chmodSync(path.join(root, 'pkg2/model.py'), 0o755),
      () => fs.mkdirSync(path.join(root, 'empty')),
      () => writeFile(root, 'outputs/more.pt', 'inside an ignored folder: not even watched'),
    ];
    for (const step of steps) {
      step();
      assert.equal(await scanAndCompare(), true);
    }
  });

  it('walks everything again when an ignore file or the settings change', async function () {
    await scanAndCompare();
    writeFile(root, 'pkg/.azurepytorchignore', 'deep/\n');
    assert.equal(await scanAndCompare(), false);
    assert.equal(tracker.fullScanReason, 'an ignore file changed');
    assert.equal(await scanAndCompare(), true);
    const other = await tracker.scan({ ...OPTIONS, excludes: [] });
    assert.equal(other.incremental, false);
    assert.equal(tracker.fullScanReason, 'the sync settings changed');
  });

  it('stays exact through a long run of random changes', async function () {
    await scanAndCompare();
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const folders = ['', 'pkg', 'pkg/deep', 'a', 'a/b', 'a/b/c'];
    for (let step = 0; step < 150; step++) {
      const folder = folders[random(folders.length)];
      const name = `${folder ? `${folder}/` : ''}f${random(6)}${random(4) === 0 ? '.log' : '.py'}`;
      const full = path.join(root, name);
      switch (random(5)) {
        case 0:
        case 1:
          writeFile(root, name, 'x'.repeat(random(1500)));
          break;
        case 2:
          fs.rmSync(full, { force: true });
          break;
        case 3:
          if (folder) fs.rmSync(path.join(root, folder), { recursive: true, force: true });
          break;
        case 4:
          if (fs.existsSync(full)) fs.renameSync(full, path.join(root, `renamed-${step}.py`));
          break;
      }
      if (random(3) === 0) assert.equal(await scanAndCompare(), true, `step ${step}`);
    }
    assert.equal(await scanAndCompare(), true);
  });
});
