import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cancelJobOnNodes, probeJob } from '../../../src/jobs/jobProbe';
import type { JobHost } from '../../../src/jobs/jobHost';
import type { JobSpec } from '../../../src/jobs/jobSpec';
import { launchJob, LaunchError, type LaunchNode } from '../../../src/jobs/launchJob';
import { jobDir, jobWorkspaceDir, workspaceDir } from '../../../src/jobs/remoteLayout';
import { downloadFolder } from '../../../src/jobs/sshJobHost';
import type { SimulatedHosts } from '../../sandbox/hosts';
import { jobSpec } from '../../unit/jobs/fixtures';
import { hostileScriptPath, hostileStrings } from '../../unit/jobs/hostileStrings';
import { fixtureWorkspace, putWorkspaceFiles, sandboxJobHost, sandboxPool, startJobHosts } from './sandboxJobHosts';
import type { SshConnectionPool } from '../../../src/ssh/connectionPool';

// Real jobs on simulated GPU VMs: run.sh, setsid/nohup, torchrun (gloo on CPU), the job's files.
const workspaceId = 'fixture-0001';
const echoArgs = `import json, os, sys
print("ARGV=" + json.dumps(sys.argv[1:]), flush=True)
print("ENV=" + json.dumps({k: v for k, v in os.environ.items() if k.startswith("HOSTILE_")}), flush=True)
`;
const files = {
  'train.py': fs.readFileSync(path.join(fixtureWorkspace, 'train.py'), 'utf8'),
  [hostileScriptPath]: echoArgs,
  'sleepy.py': 'import time\nprint("sleeping", flush=True)\ntime.sleep(600)\n',
  'exit3.py': 'import sys\nprint("failing on purpose", flush=True)\nsys.exit(3)\n',
  'which_python.py': 'import sys, numpy\nprint("PREFIX=" + sys.prefix, "FILE=" + __file__, flush=True)\n',
  // Satisfied by the image's numpy (--system-site-packages): pip needs no network.
  'requirements.txt': 'numpy\n',
};

describe('jobs on simulated GPU VMs', function () {
  // Generous caps, not expectations: every wait below is for an event (the job's end), and torch's
  // start-up on a busy two-core machine has taken minutes.
  this.timeout(420_000);
  let hosts: SimulatedHosts;
  let node0: JobHost;
  let node1: JobHost;
  let counter = 0;
  let pool: SshConnectionPool;

  before(async function () {
    hosts = await startJobHosts(2, 'jobs');
    if (!hosts.isolated) {
      await hosts.dispose();
      this.skip();
    }
    for (const host of hosts.hosts) putWorkspaceFiles(hosts, host.name, workspaceId, files);
    pool = sandboxPool(hosts);
    [node0, node1] = hosts.hosts.map((host) => sandboxJobHost(hosts, host.name, pool));
  });

  after(async () => {
    pool?.dispose();
    await hosts?.dispose();
  });

  function spec(nodes: readonly JobHost[], overrides: Partial<JobSpec>): JobSpec {
    return jobSpec({
      id: `job-${process.pid}-${++counter}`,
      workspaceId,
      nodes: nodes.map((host) => ({ target: host.machine, address: host.address })),
      nprocPerNode: 1,
      ...overrides,
    });
  }

  async function launch(draft: JobSpec, nodes: readonly JobHost[]): Promise<JobSpec> {
    const launchNodes: LaunchNode[] = nodes.map((host) => ({ host, expectedGpus: 2 }));
    const { spec: launched } = await launchJob(draft, launchNodes, {
      report: () => undefined,
      signal: new AbortController().signal,
    });
    return launched;
  }

  async function waitForEnd(
    launched: JobSpec,
    nodes: readonly JobHost[],
    timeoutMs = 360_000,
  ): Promise<Awaited<ReturnType<typeof probeJob>>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const probe = await probeJob(launched, nodes);
      if (probe.derived.state.kind !== 'running' && probe.derived.state.kind !== 'preparing') return probe;
      if (Date.now() > deadline) throw new Error(`job ${launched.id} still ${probe.derived.state.kind}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  function log(name: string, jobId: string, rank: number): string {
    return fs.readFileSync(path.join(hosts.host(name).homeDir, jobDir(jobId), `node-${rank}.log`), 'utf8');
  }

  /** PIDs of processes on this machine carrying the job's id in their environment. */
  function jobProcesses(jobId: string): number[] {
    const marker = `AZURE_PYTORCH_JOB_ID=${jobId}`;
    return fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          return fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker);
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  it('passes 200+ hostile arguments, env values and a hostile script path to the script exactly', async () => {
    const args = hostileStrings(240);
    const env = Object.fromEntries(hostileStrings(40, 99).map((value, i) => [`HOSTILE_${i}`, value]));
    const launched = await launch(spec([node0], { script: hostileScriptPath, args, env }), [node0]);
    const { derived } = await waitForEnd(launched, [node0]);
    const output = log(hosts.hosts[0].name, launched.id, 0);
    assert.deepStrictEqual(derived.state, { kind: 'succeeded' }, output);
    const argvLine = output.split('\n').find((line) => line.startsWith('ARGV='));
    const envLine = output.split('\n').find((line) => line.startsWith('ENV='));
    assert.ok(argvLine && envLine, output);
    assert.deepStrictEqual(JSON.parse(argvLine.slice('ARGV='.length)), args);
    assert.deepStrictEqual(JSON.parse(envLine.slice('ENV='.length)), env);
    assert.ok(!fs.existsSync(path.join(hosts.host(hosts.hosts[0].name).homeDir, 'pwned')), 'a $(…) in the script path ran');
  });

  it('trains on one VM with two processes, and records the exit code and times', async () => {
    const launched = await launch(spec([node0], { nprocPerNode: 2, args: ['--steps', '5'] }), [node0]);
    const { derived, nodes } = await waitForEnd(launched, [node0]);
    const output = log(hosts.hosts[0].name, launched.id, 0);
    assert.deepStrictEqual(derived.state, { kind: 'succeeded' }, output);
    assert.strictEqual(nodes[0].exitCode, 0);
    assert.ok(derived.startedAt && derived.endedAt && derived.endedAt >= derived.startedAt);
    assert.match(output, /rank 0\/2 on cpu/);
    assert.match(output, /rank 1\/2 on cpu/);
    // DDP keeps both ranks' weights equal: their last lines agree. torchrun labels each rank's lines.
    const weights = [0, 1].map((rank) => new RegExp(`^\\[default${rank}\\]:done: weight=(-?\\d+\\.\\d{4})$`, 'm').exec(output)?.[1]);
    assert.ok(weights[0] !== undefined, output);
    assert.strictEqual(weights[0], weights[1]);
    assert.strictEqual((output.match(/step=5 loss=/g) ?? []).length, 2);
    // Rank 0 wrote outputs/model.pt in the job's own snapshot, not in the shared synced workspace.
    const home0 = hosts.host(hosts.hosts[0].name).homeDir;
    assert.ok(fs.existsSync(path.join(home0, jobWorkspaceDir(launched.id), 'outputs/model.pt')));
    assert.ok(!fs.existsSync(path.join(home0, workspaceDir(workspaceId), 'outputs/model.pt')));

    // Download Outputs: the folder comes back whole, byte for byte.
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-outputs-'));
    try {
      const target = { host: node0.address, port: hosts.hosts[0].port, user: hosts.user, label: hosts.hosts[0].name };
      const count = await downloadFolder(pool, target, `${jobWorkspaceDir(launched.id)}/outputs`, path.join(local, launched.id));
      assert.strictEqual(count, 1);
      const remoteModel = fs.readFileSync(path.join(home0, jobWorkspaceDir(launched.id), 'outputs/model.pt'));
      assert.ok(fs.readFileSync(path.join(local, launched.id, 'model.pt')).equals(remoteModel));
      await assert.rejects(
        downloadFolder(pool, target, `${workspaceDir(workspaceId)}/no-such-folder`, path.join(local, 'x')),
        /has no folder ~\/\.azure-pytorch\/ws\/fixture-0001\/no-such-folder/,
      );
    } finally {
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  it('trains across two VMs as one multi-node job, ranks on their own hosts', async () => {
    const launched = await launch(spec([node0, node1], { args: ['--steps', '4'] }), [node0, node1]);
    assert.match(launched.rendezvous ?? '', new RegExp(`^${hosts.hosts[0].name}:\\d+$`), 'rendezvous on node 0 by its host name');
    const { derived, nodes } = await waitForEnd(launched, [node0, node1]);
    const outputs = [0, 1].map((rank) => log(hosts.hosts[rank].name, launched.id, rank));
    assert.deepStrictEqual(derived.state, { kind: 'succeeded' }, outputs.join('\n----\n'));
    assert.deepStrictEqual(
      nodes.map((n) => n.exitCode),
      [0, 0],
    );
    assert.match(outputs[0], new RegExp(`rank 0/2 on cpu, host ${hosts.hosts[0].name}`));
    assert.match(outputs[1], new RegExp(`rank 1/2 on cpu, host ${hosts.hosts[1].name}`));
    const weights = outputs.map((output) => /done: weight=(-?\d+\.\d{4})/.exec(output)?.[1]);
    assert.ok(weights[0] !== undefined && weights[0] === weights[1], `weights differ: ${weights.join(', ')}`);
  });

  it('creates the venv once from the requirements, runs setup into the log, and reuses it', async () => {
    const overrides = { script: 'which_python.py', requirements: 'requirements.txt', setup: ['echo "setup ran in $(pwd)"'] };
    const first = await launch(spec([node0], overrides), [node0]);
    assert.deepStrictEqual((await waitForEnd(first, [node0])).derived.state, { kind: 'succeeded' }, log(hosts.hosts[0].name, first.id, 0));
    const firstLog = log(hosts.hosts[0].name, first.id, 0);
    assert.match(firstLog, /Creating the environment .*\.azure-pytorch\/envs\/venv-[0-9a-f]{16}/);
    assert.match(firstLog, new RegExp(`setup ran in /.*/\\.azure-pytorch/jobs/${first.id}/workspace`));
    assert.match(firstLog, /PREFIX=\/.*\/\.azure-pytorch\/envs\/venv-/, 'the script runs in the venv');
    assert.match(
      firstLog,
      new RegExp(`FILE=/.*/\\.azure-pytorch/jobs/${first.id}/workspace/which_python\\.py$`, 'm'),
      'clean paths in tracebacks',
    );
    const second = await launch(spec([node0], overrides), [node0]);
    await waitForEnd(second, [node0]);
    const secondLog = log(hosts.hosts[0].name, second.id, 0);
    assert.match(secondLog, /Reusing the environment/);
    assert.doesNotMatch(secondLog, /setup ran/);
  });

  it('reports a failing script with its exit code', async () => {
    const launched = await launch(spec([node0], { script: 'exit3.py' }), [node0]);
    const { derived } = await waitForEnd(launched, [node0]);
    assert.deepStrictEqual(derived.state, { kind: 'failed', exitCode: 1 }, log(hosts.hosts[0].name, launched.id, 0));
  });

  it('cancels every rank on every node, leaving no process of the job', async () => {
    const launched = await launch(spec([node0, node1], { script: 'sleepy.py', nprocPerNode: 2 }), [node0, node1]);
    const deadline = Date.now() + 60_000;
    while (
      (log(hosts.hosts[0].name, launched.id, 0).match(/sleeping/g) ?? []).length < 2 ||
      (log(hosts.hosts[1].name, launched.id, 1).match(/sleeping/g) ?? []).length < 2
    ) {
      assert.ok(Date.now() < deadline, 'the ranks never started');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const before = jobProcesses(launched.id);
    assert.ok(before.length >= 6, `expected run.sh, torchrun and 2 workers per node, found ${before.length}`);
    await cancelJobOnNodes(launched, [node0, node1]);
    assert.deepStrictEqual(jobProcesses(launched.id), []);
    assert.deepStrictEqual((await probeJob(launched, [node0, node1])).derived.state, { kind: 'cancelled' });
  });

  it('stops what it started when a node fails to start, and says why', async () => {
    // Node 1's jobs folder is a file: its job folder cannot be made, after node 0 has started.
    const jobsPath = path.join(hosts.host(hosts.hosts[1].name).homeDir, '.azure-pytorch/jobs');
    const saved = `${jobsPath}.saved`;
    const existed = fs.existsSync(jobsPath);
    if (existed) fs.renameSync(jobsPath, saved);
    fs.writeFileSync(jobsPath, 'not a folder');
    try {
      const draft = spec([node0, node1], { script: 'sleepy.py' });
      await assert.rejects(
        launch(draft, [node0, node1]),
        (error: unknown) => error instanceof LaunchError && /could not be started.*stopped everywhere/.test(error.message),
      );
      assert.deepStrictEqual(jobProcesses(draft.id), []);
      assert.ok(!fs.existsSync(path.join(hosts.host(hosts.hosts[0].name).homeDir, jobDir(draft.id))), 'node 0 kept the job folder');
    } finally {
      fs.rmSync(jobsPath);
      if (existed) fs.renameSync(saved, jobsPath);
    }
  });

  it('refuses to start where Python cannot import torch, naming the fix', async () => {
    await assert.rejects(
      launch(spec([node0], { python: 'python3 -c' }), [node0]),
      (error: unknown) => error instanceof LaunchError && /was not found.*azurePytorch\.python/.test(error.message),
    );
  });
});
