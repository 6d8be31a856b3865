import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { JobMonitor } from '../../../src/jobs/jobMonitor';
import type { JobRecord } from '../../../src/jobs/jobStore';
import { JobStore } from '../../../src/jobs/jobStore';
import { launchJob } from '../../../src/jobs/launchJob';
import { jobDir } from '../../../src/jobs/remoteLayout';
import type { SshConnectionPool } from '../../../src/ssh/connectionPool';
import type { SimulatedHosts } from '../../sandbox/hosts';
import { parseJson } from '../../json';
import { jobSpec } from '../../unit/jobs/fixtures';
import { putWorkspaceFiles, sandboxJobHost, sandboxPool, startJobHosts } from './sandboxJobHosts';

class MemoryStorage {
  private readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, parseJson(JSON.stringify(value)));
    return Promise.resolve();
  }
}

async function until(condition: () => boolean, what: string, ms = 240_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a job outlives its SSH connections and the window', function () {
  // A cap, not an expectation: every wait is for an event, and torch starts slowly on a busy machine.
  this.timeout(300_000);
  let hosts: SimulatedHosts;
  const pools: SshConnectionPool[] = [];

  before(async function () {
    hosts = await startJobHosts(1, 'reattach');
    if (!hosts.isolated) {
      await hosts.dispose();
      this.skip();
    }
    putWorkspaceFiles(hosts, hosts.hosts[0].name, 'ws-reattach', {
      'slow.py':
        'import time\n' +
        'for step in range(1, 31):\n    print(f"step={step}", flush=True)\n    time.sleep(0.2)\n' +
        'print("finished", flush=True)\n',
    });
  });

  after(async () => {
    for (const pool of pools) pool.dispose();
    await hosts?.dispose();
  });

  it('keeps running through a dropped connection; a new monitor (a reloaded window) re-attaches and records the end once', async () => {
    const name = hosts.hosts[0].name;
    const firstPool = sandboxPool(hosts);
    pools.push(firstPool);
    const host = sandboxJobHost(hosts, name, firstPool);
    const draft = jobSpec({
      id: `reattach-${process.pid}`,
      script: 'slow.py',
      workspaceId: 'ws-reattach',
      nprocPerNode: 1,
      nodes: [{ target: host.machine, address: host.address }],
    });
    const { spec } = await launchJob(draft, [{ host }], {
      report: () => undefined,
      signal: new AbortController().signal,
    });
    const store = new JobStore(new MemoryStorage());
    await store.add({ spec, state: { kind: 'preparing' }, startedAt: Date.now() });

    const ended: JobRecord[] = [];
    const first = new JobMonitor(store, {
      connect: () => Promise.resolve(host),
      onEnded: (r) => ended.push(r),
      maxRetryDelayMs: 500,
      waitSeconds: 5,
    });
    first.watchActive();
    const logFile = path.join(hosts.host(name).homeDir, jobDir(spec.id), 'node-0.log');
    await until(() => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('step=3'), 'the job to print');
    assert.strictEqual(store.get(spec.id)?.state.kind, 'running');

    await hosts.killConnections(name); // every SSH connection dies on the server side
    first.dispose(); // the window closes

    const secondPool = sandboxPool(hosts);
    pools.push(secondPool);
    const second = new JobMonitor(store, {
      connect: () => Promise.resolve(sandboxJobHost(hosts, name, secondPool)),
      onEnded: (r) => ended.push(r),
      waitSeconds: 5,
    });
    second.watchActive();
    assert.ok(second.isWatching(spec.id), 're-attached on activation');
    await until(() => ended.length > 0, 'the end of the job');
    second.dispose();
    assert.strictEqual(ended.length, 1);
    assert.deepStrictEqual(store.get(spec.id)?.state, { kind: 'succeeded' });
    const log = fs.readFileSync(logFile, 'utf8');
    assert.match(log, /step=30\n/);
    assert.match(log, /finished/);
  });
});
