import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  JOB_FOLDER_MISSING,
  listJobFolderCommand,
  localPathOf,
  outputChoices,
  parseJobFolderListing,
} from '../../../src/jobs/jobFolderListing';
import { jobDir } from '../../../src/jobs/remoteLayout';

describe("a job folder's files for Download Outputs", function () {
  let home: string;

  beforeEach(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'job-folder-'));
  });

  afterEach(function () {
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** Writes a file of the job folder with an mtime `secondsAgo` in the past. */
  const write = (file: string, content: string, secondsAgo: number): void => {
    const full = path.join(home, jobDir('job-1'), file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
    const when = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(full, when, when);
  };

  const list = (): { code: number | null; stdout: string } => {
    const argv = listJobFolderCommand('job-1');
    const result = spawnSync(argv[0], argv.slice(1), { cwd: home, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout };
  };

  it("tells the files the job wrote in its snapshot from the snapshot's own, and offers those with the outputs", function () {
    write('workspace/train.py', 'print()', 100); // synced long ago, linked into the snapshot
    write('workspace/old-output/model.pt', 'from an older sync', 100);
    write('snapshot-taken', '', 50);
    write('workspace/model.pt', 'weights', 10); // beside the script
    write('workspace/outputs/metrics.json', '{}', 10);
    write('workspace/outputs/copied.bin', 'copied keeping its old mtime', 100);
    write('workspace/name with\nnewline.txt', 'x', 10);
    write('node-0.log', 'log', 10);
    const { code, stdout } = list();
    assert.strictEqual(code, 0);
    const files = parseJobFolderListing(stdout);
    assert.deepStrictEqual(
      files.filter((file) => file.writtenByJob).map((file) => file.path),
      ['workspace/model.pt', 'workspace/name with\nnewline.txt', 'workspace/outputs/metrics.json'],
    );
    assert.strictEqual(files.find((file) => file.path === 'workspace/model.pt')?.size, 7);
    const { offered, others } = outputChoices(files, 'outputs');
    assert.deepStrictEqual(
      offered.map((file) => file.path),
      ['workspace/model.pt', 'workspace/name with\nnewline.txt', 'workspace/outputs/copied.bin', 'workspace/outputs/metrics.json'],
    );
    assert.deepStrictEqual(
      others.map((file) => file.path),
      ['node-0.log', 'snapshot-taken', 'workspace/old-output/model.pt', 'workspace/train.py'],
    );
    assert.strictEqual(localPathOf('workspace/outputs/metrics.json'), 'outputs/metrics.json');
    assert.strictEqual(localPathOf('node-0.log'), 'node-0.log');
  });

  it('an outputs folder written as ./results/ is still the outputs', function () {
    const files = [{ path: 'workspace/results/a.pt', size: 1, writtenByJob: false }];
    assert.strictEqual(outputChoices(files, './results/').offered.length, 1);
  });

  it('says when the job folder is gone', function () {
    assert.strictEqual(list().code, JOB_FOLDER_MISSING);
  });
});
