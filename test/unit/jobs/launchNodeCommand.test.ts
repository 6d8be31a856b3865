import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launchNodeCommand } from '../../../src/jobs/remoteCommands';
import { jobDir, jobWorkspaceDir, workspaceDir } from '../../../src/jobs/remoteLayout';
import { hostileStrings } from './hostileStrings';

/** Runs the launch command here, in `home`, as the SSH layer would run it on the VM. */
function runLaunch(home: string, command: { argv: string[]; stdin: Buffer }): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command.argv[0], command.argv.slice(1), { cwd: home, input: command.stdin });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** Waits until `file` exists: the run script is started detached. */
async function waitForFile(file: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('launch command of a node', function () {
  let home: string;
  const spec = { id: 'train-1', workspaceId: 'proj-1', outputs: 'outputs' };
  // The stand-in run script records where it ran; the real one is tested in runScript.test.ts.
  const script = '#!/bin/sh\npwd > "ran-$1.tmp" && mv "ran-$1.tmp" "ran-$1"\n';

  beforeEach(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'launch-node-'));
    const ws = path.join(home, workspaceDir(spec.workspaceId));
    fs.mkdirSync(path.join(ws, 'pkg'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'outputs'));
    fs.writeFileSync(path.join(ws, 'train.py'), 'print("hi")\n');
    fs.writeFileSync(path.join(ws, 'pkg/model.py'), 'class Model: pass\n');
    fs.writeFileSync(path.join(ws, 'outputs/old.pt'), 'an older job wrote this');
  });

  afterEach(function () {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('sends spec.json and run.sh over stdin, not on the command line, however large (E2BIG at 128 KiB per argument)', async function () {
    const args = hostileStrings(2000, 11).map((each) => `${each}|${'x'.repeat(120)}`);
    const specJson = JSON.stringify({ ...spec, args }, undefined, 2);
    const runScript = `${script}# ${JSON.stringify(args).replace(/\n/g, ' ')}\n`;
    assert.ok(specJson.length + runScript.length > 256 * 1024, 'large enough to exceed the limit');
    const command = launchNodeCommand(spec, 0, specJson, runScript);
    assert.ok(command.argv.join(' ').length < 8 * 1024, 'the command line does not grow with the job');
    const result = runLaunch(home, command);
    assert.strictEqual(result.code, 0, result.stderr);
    assert.match(result.stdout, /^pid=\d+$/m);
    const dir = path.join(home, jobDir(spec.id));
    assert.strictEqual(fs.readFileSync(path.join(dir, 'spec.json'), 'utf8'), specJson);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'run.sh'), 'utf8'), runScript);
    assert.strictEqual(fs.statSync(path.join(dir, 'run.sh')).mode & 0o777, 0o700);
    assert.deepStrictEqual(
      fs.readdirSync(dir).filter((name) => name.endsWith('.input')),
      [],
      'no leftover input',
    );
    await waitForFile(path.join(dir, 'ran-0'));
  });

  it("takes the job's own snapshot of the workspace, by hard links, without the outputs folder, and runs there", async function () {
    const result = runLaunch(home, launchNodeCommand(spec, 0, '{}', script));
    assert.strictEqual(result.code, 0, result.stderr);
    const ws = path.join(home, workspaceDir(spec.workspaceId));
    const snapshot = path.join(home, jobWorkspaceDir(spec.id));
    assert.strictEqual(fs.readFileSync(path.join(snapshot, 'pkg/model.py'), 'utf8'), 'class Model: pass\n');
    assert.strictEqual(fs.statSync(path.join(snapshot, 'train.py')).ino, fs.statSync(path.join(ws, 'train.py')).ino, 'a hard link');
    assert.ok(!fs.existsSync(path.join(snapshot, 'outputs')), "the last job's outputs stay out");
    assert.ok(fs.existsSync(path.join(ws, 'outputs/old.pt')), 'and stay where they were');
    assert.ok(fs.existsSync(path.join(home, jobDir(spec.id), 'snapshot-taken')));
    assert.strictEqual(fs.statSync(path.join(home, jobDir(spec.id))).mode & 0o077, 0, 'the job folder is private');
    await waitForFile(path.join(home, jobDir(spec.id), 'ran-0'));
    // The job runs in the job folder; run.sh itself enters the snapshot (runScript.test.ts).

    // A second node sharing this home (NFS) keeps the snapshot the first took.
    const second = runLaunch(home, launchNodeCommand(spec, 1, '{}', script));
    assert.strictEqual(second.code, 0, second.stderr);
    assert.strictEqual(fs.readFileSync(path.join(snapshot, 'pkg/model.py'), 'utf8'), 'class Model: pass\n');
    assert.deepStrictEqual(
      fs.readdirSync(path.join(home, jobDir(spec.id))).filter((name) => name.startsWith('workspace')),
      ['workspace'],
    );
    await waitForFile(path.join(home, jobDir(spec.id), 'ran-1'));
  });

  it('says what to do when the synced workspace is missing, and starts nothing', function () {
    fs.rmSync(path.join(home, workspaceDir(spec.workspaceId)), { recursive: true });
    const result = runLaunch(home, launchNodeCommand(spec, 0, '{}', script));
    assert.notStrictEqual(result.code, 0);
    assert.match(result.stderr, /The synced workspace ~\/\.azure-pytorch\/ws\/proj-1 is missing: launch again to sync it\./);
    assert.ok(!fs.existsSync(path.join(home, jobDir(spec.id))));
  });
});
