import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listJobFolderCommand, outputChoices, parseJobFolderListing } from '../../../src/jobs/jobFolderListing';
import { probeJob } from '../../../src/jobs/jobProbe';
import type { JobSpec } from '../../../src/jobs/jobSpec';
import { launchJob } from '../../../src/jobs/launchJob';
import { jobDir, jobWorkspaceDir, workspaceDir } from '../../../src/jobs/remoteLayout';
import { downloadFiles, downloadFolder, type SshJobHost, type SshWorkspaceSync } from '../../../src/jobs/sshJobHost';
import type { SshConnectionPool } from '../../../src/ssh/connectionPool';
import type { SshTarget } from '../../../src/ssh/sshTarget';
import { FileSyncStateStore } from '../../../src/sync/syncState';
import { syncWorkspace, type SyncResult } from '../../../src/sync/workspaceSync';
import type { SimulatedHosts } from '../../sandbox/hosts';
import { jobSpec } from '../../unit/jobs/fixtures';
import { sandboxJobHost, sandboxPool, startJobHosts } from './sandboxJobHosts';

// Each job on its own snapshot of the synced workspace, synced for real: what a later sync and
// launch do to the workspace never reaches a job still running, and each job keeps its outputs.
const workspaceId = 'snapshots-0001';

// Records what it read, writes an output and a file beside itself, then waits to be released and
// reads its files again.
const jobScript = `import os, pathlib, time
tag = pathlib.Path("data.txt").read_text().strip()
out = os.environ["AZURE_PYTORCH_OUTPUTS"]
pathlib.Path(out, "result.txt").write_text(tag)
pathlib.Path("model.pt").write_text("weights " + tag)
print("STARTED", tag, os.getcwd(), out, flush=True)
release = pathlib.Path(os.environ["HOME"], "release-" + os.environ["AZURE_PYTORCH_JOB_ID"])
while not release.exists():
    time.sleep(0.1)
print("SEES", pathlib.Path("data.txt").read_text().strip(), pathlib.Path("helper.py").exists(), flush=True)
`;
const echoArgs = 'import json, sys\nprint("ARGV=" + json.dumps(sys.argv[1:]), flush=True)\n';

describe('each job on its own snapshot of the workspace, on a simulated GPU VM', function () {
  this.timeout(180_000);
  let hosts: SimulatedHosts;
  let pool: SshConnectionPool;
  let node: SshJobHost;
  let syncNow: (ssh: SshTarget, signal?: AbortSignal) => Promise<SyncResult>;
  let root: string;
  let home: string;
  let counter = 0;
  const launched: JobSpec[] = [];

  before(async function () {
    hosts = await startJobHosts(1, 'snap');
    if (!hosts.isolated) {
      await hosts.dispose();
      this.skip();
    }
    pool = sandboxPool(hosts);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'snap-workspace-'));
    const state = new FileSyncStateStore(fs.mkdtempSync(path.join(hosts.stateDir, 'sync-state-')));
    syncNow = async (ssh, signal) =>
      syncWorkspace(await pool.connection(ssh), {
        localRoot: root,
        remoteDir: workspaceDir(workspaceId),
        maxFileSizeBytes: 1 << 20,
        state,
        targetKey: `${ssh.user}@${ssh.host}`,
        signal,
      });
    const sync: SshWorkspaceSync = async (ssh, _spec, signal) => {
      await syncNow(ssh, signal);
    };
    node = sandboxJobHost(hosts, hosts.hosts[0].name, pool, sync);
    home = hosts.hosts[0].homeDir;
    fs.writeFileSync(path.join(root, 'job.py'), jobScript);
    fs.writeFileSync(path.join(root, 'echo.py'), echoArgs);
    fs.writeFileSync(path.join(root, 'helper.py'), 'VALUE = 1\n');
    fs.writeFileSync(path.join(root, 'data.txt'), 'AAAA\n');
  });

  after(async () => {
    pool?.dispose();
    await hosts?.dispose();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function launch(overrides: Partial<JobSpec>): Promise<JobSpec> {
    const draft = jobSpec({
      id: `snap-${process.pid}-${++counter}`,
      workspaceId,
      nodes: [{ target: node.machine, address: node.address }],
      nprocPerNode: 1,
      ...overrides,
    });
    const { spec } = await launchJob(draft, [{ host: node, expectedGpus: 2 }], {
      report: () => undefined,
      signal: new AbortController().signal,
    });
    launched.push(spec);
    return spec;
  }

  const log = (spec: JobSpec): string => {
    const file = path.join(home, jobDir(spec.id), 'node-0.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  };

  async function waitFor(what: string, done: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function waitForEnd(spec: JobSpec): Promise<string> {
    let state = '';
    await waitFor(`${spec.id} to end`, async () => {
      state = (await probeJob(spec, [node])).derived.state.kind;
      return state !== 'running' && state !== 'preparing';
    });
    return state;
  }

  it('passes arguments too long for one command line (E2BIG at 128 KiB) through stdin', async function () {
    const args = Array.from({ length: 1200 }, (_, i) => `--arg-${i}=${'v'.repeat(120)} $(x) 'q'`);
    const spec = await launch({ script: 'echo.py', args });
    assert.strictEqual(await waitForEnd(spec), 'succeeded', log(spec).slice(-2000));
    const line = log(spec)
      .split('\n')
      .find((each) => each.startsWith('ARGV='));
    assert.ok(line, log(spec));
    assert.deepStrictEqual(JSON.parse(line.slice('ARGV='.length)), args);
  });

  it('a later sync and launch change nothing under a running job, and each job keeps its own outputs', async function () {
    const first = await launch({ script: 'job.py' });
    await waitFor('the first job to start', () => /^STARTED /m.test(log(first)));
    // Same size, so only the content differs; and a file gone.
    fs.writeFileSync(path.join(root, 'data.txt'), 'BBBB\n');
    fs.rmSync(path.join(root, 'helper.py'));
    const second = await launch({ script: 'job.py' });
    await waitFor('the second job to start', () => /^STARTED /m.test(log(second)));
    for (const spec of [first, second]) fs.writeFileSync(path.join(home, `release-${spec.id}`), '');
    assert.strictEqual(await waitForEnd(first), 'succeeded', log(first));
    assert.strictEqual(await waitForEnd(second), 'succeeded', log(second));

    assert.match(log(first), /^SEES AAAA True$/m, 'the first job still reads its own files');
    assert.match(log(second), /^SEES BBBB False$/m);
    const vmHome = /^STARTED AAAA (\/\S+)\/\.azure-pytorch\//m.exec(log(first))?.[1];
    assert.ok(vmHome, log(first));
    assert.match(
      log(first),
      new RegExp(`^STARTED AAAA ${vmHome}/${jobWorkspaceDir(first.id)} ${vmHome}/${jobWorkspaceDir(first.id)}/outputs$`, 'm'),
    );
    for (const [spec, tag] of [
      [first, 'AAAA'],
      [second, 'BBBB'],
    ] as const) {
      assert.strictEqual(fs.readFileSync(path.join(home, jobWorkspaceDir(spec.id), 'outputs/result.txt'), 'utf8'), tag);
      assert.strictEqual(fs.readFileSync(path.join(home, jobWorkspaceDir(spec.id), 'model.pt'), 'utf8'), `weights ${tag}`);
    }
    assert.ok(!fs.existsSync(path.join(home, workspaceDir(workspaceId), 'outputs')), 'nothing written into the shared workspace');
    const open = fs
      .readdirSync(path.join(home, jobDir(first.id)))
      .filter((name) => fs.statSync(path.join(home, jobDir(first.id), name)).mode & 0o077);
    assert.deepStrictEqual(open, [], 'the job folder is private');
  });

  it("the sync after a launch still trusts its records: the snapshot's hard links are no remote change", async function () {
    const result = await syncNow(node.ssh);
    assert.strictEqual(result.remoteCheck, 'changes-since-last-sync');
    assert.strictEqual(result.uploadedFiles, 0);
  });

  it('offers the outputs and what the job wrote beside its script, and downloads any file of its folder with progress', async function () {
    const first = launched.find((spec) => spec.script === 'job.py');
    assert.ok(first, 'the previous test launched it');
    const listing = await node.exec(listJobFolderCommand(first.id));
    assert.strictEqual(listing.exitCode, 0, listing.stderr);
    const files = parseJobFolderListing(listing.stdout);
    const { offered, others } = outputChoices(files, first.outputs);
    assert.deepStrictEqual(
      offered.map((file) => file.path),
      ['workspace/model.pt', 'workspace/outputs/result.txt'],
    );
    const otherPaths = others.map((file) => file.path);
    for (const expected of ['node-0.log', 'spec.json', 'run.sh', 'workspace/job.py', 'workspace/data.txt'])
      assert.ok(otherPaths.includes(expected), `${expected} in ${otherPaths.join(', ')}`);

    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'snap-download-'));
    try {
      const target = { host: node.address, port: hosts.hosts[0].port, user: hosts.user, label: hosts.hosts[0].name };
      const progress: number[] = [];
      const chosen = [...offered.map((file) => file.path), 'node-0.log', 'workspace/job.py'];
      const count = await downloadFiles(pool, target, jobDir(first.id), chosen, local, {
        stripPrefix: 'workspace/',
        onBytes: (bytes) => progress.push(bytes),
      });
      assert.strictEqual(count, 4);
      assert.strictEqual(fs.readFileSync(path.join(local, 'model.pt'), 'utf8'), 'weights AAAA');
      assert.strictEqual(fs.readFileSync(path.join(local, 'outputs/result.txt'), 'utf8'), 'AAAA');
      assert.strictEqual(fs.readFileSync(path.join(local, 'job.py'), 'utf8'), jobScript);
      assert.strictEqual(fs.readFileSync(path.join(local, 'node-0.log'), 'utf8'), log(first));
      assert.ok(progress.length > 0 && progress.every((bytes, i) => i === 0 || bytes > progress[i - 1]), 'progress only grows');
      assert.ok(progress[progress.length - 1] >= files.filter((file) => chosen.includes(file.path)).reduce((sum, f) => sum + f.size, 0));
    } finally {
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  it('downloads finish every time, though the local tar may exit before the end of the remote stream', async function () {
    // Seen hanging within a few tries before: the channel never closed once the local tar was gone.
    this.timeout(90_000);
    const first = launched.find((spec) => spec.script === 'job.py');
    assert.ok(first, 'an earlier test launched it');
    const target = { host: node.address, port: hosts.hosts[0].port, user: hosts.user, label: hosts.hosts[0].name };
    for (let attempt = 0; attempt < 30; attempt++) {
      const local = fs.mkdtempSync(path.join(os.tmpdir(), 'snap-repeat-'));
      try {
        const count: number =
          attempt % 2
            ? await downloadFolder(pool, target, `${jobWorkspaceDir(first.id)}/outputs`, local)
            : await downloadFiles(pool, target, jobDir(first.id), ['workspace/outputs/result.txt'], local, { stripPrefix: 'workspace/' });
        assert.strictEqual(count, 1);
        assert.strictEqual(fs.readFileSync(path.join(local, attempt % 2 ? 'result.txt' : 'outputs/result.txt'), 'utf8'), 'AAAA');
      } finally {
        fs.rmSync(local, { recursive: true, force: true });
      }
    }
  });
});
