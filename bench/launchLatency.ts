/**
 * Launch latency: from "Train on Azure" (target chosen, connection warm, environment cached,
 * workspace unchanged) to the script's first output line in the log follower, against a peer in
 * the same run: the same torchrun command run directly over the same warm SSH connection, which
 * is the script's own start-up (torchrun, Python, `import torch`). Our overhead is the difference.
 * Run: npx tsc -p . && node out/bench/launchLatency.js   (as root, like the sandbox)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JobHost } from '../src/jobs/jobHost';
import { launchJob } from '../src/jobs/launchJob';
import type { SshWorkspaceSync } from '../src/jobs/sshJobHost';
import type { PreflightReport } from '../src/jobs/preflight';
import { nodePaths, workspaceDir } from '../src/jobs/remoteLayout';
import { LogFollower } from '../src/logs/logFollower';
import type { RemoteCommand, RemoteCommandRunner } from '../src/logs/remoteCommandRunner';
import type { SshConnectionPool } from '../src/ssh/connectionPool';
import type { SshTarget } from '../src/ssh/sshTarget';
import { FileSyncStateStore } from '../src/sync/syncState';
import { workspaceId as workspaceIdOf } from '../src/sync/workspaceId';
import { syncWorkspace } from '../src/sync/workspaceSync';
import { jobSpec } from '../test/unit/jobs/fixtures';
import { fixtureWorkspace, sandboxJobHost, sandboxPool, startJobHosts } from '../test/system/jobs/sandboxJobHosts';

const runs = Number(process.env.RUNS ?? 5);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-launch-'));
const localWorkspace = path.join(scratch, 'workspace');
fs.cpSync(fixtureWorkspace, localWorkspace, { recursive: true });
const workspaceId = workspaceIdOf(localWorkspace);
const syncState = new FileSyncStateStore(path.join(scratch, 'sync-state'));

/** The log follower's view of the pool (what the log panel uses). */
function runnerFor(pool: SshConnectionPool, target: SshTarget): RemoteCommandRunner {
  return {
    start(argv, handlers): RemoteCommand {
      let kill: (() => void) | undefined;
      const result = (async () => {
        const process = await pool.spawn(target, argv);
        kill = () => process.kill();
        process.stdout.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
        process.stderr.on('data', (chunk: Buffer) => handlers.onStderr?.(chunk));
        process.stdin.end();
        const status = await process.exit;
        return { exitCode: status.code, signal: status.signal ?? undefined };
      })();
      return { result, cancel: () => kill?.() };
    },
  };
}

/** The real sync of the bench's workspace over the pool. */
function poolSync(pool: SshConnectionPool): SshWorkspaceSync {
  return async (target, _spec, signal) => {
    const connection = await pool.connection(target);
    await syncWorkspace(connection, {
      localRoot: localWorkspace,
      remoteDir: workspaceDir(workspaceId),
      maxFileSizeBytes: 50 << 20,
      state: syncState,
      targetKey: `${target.user}@${target.host}`,
      signal,
    });
  };
}

/** Ours: launch (preflight cached, the real sync of an unchanged workspace), then follow node 0's log to the script's first line. */
async function ours(
  host: JobHost,
  pool: SshConnectionPool,
  target: SshTarget,
  cache: Map<string, PreflightReport>,
  n: number,
): Promise<{ firstLine: number; launched: number }> {
  const started = performance.now();
  const draft = jobSpec({
    id: `bench-${process.pid}-${n}`,
    workspaceId,
    nprocPerNode: 1,
    args: ['--steps', '3'],
    nodes: [{ target: host.machine, address: host.address }],
  });
  const { spec } = await launchJob(draft, [{ host }], {
    report: () => undefined,
    signal: new AbortController().signal,
    preflightCache: cache,
  });
  const launched = performance.now() - started;
  const paths = nodePaths(spec.id, 0);
  return new Promise((resolve, reject) => {
    let text = '';
    const follower = new LogFollower(
      () => Promise.resolve(runnerFor(pool, target)),
      { logPath: paths.log, pidPath: paths.pid, exitCodePath: paths.exitCode },
      0,
      {
        onData: (chunk) => {
          text += chunk.toString('utf8');
          const lines = text.split('\n').slice(0, -1);
          if (lines.some((line) => !line.startsWith('[azure-pytorch]'))) {
            resolve({ firstLine: performance.now() - started, launched });
            follower.dispose();
          }
        },
        onState: (state) => {
          if (state.kind === 'ended' || state.kind === 'failed') reject(new Error(`the job ended before printing: ${text}`));
        },
      },
    );
    void follower.run();
  });
}

/** The peer: the same torchrun, run directly in the synced workspace over the warm connection. */
async function peer(pool: SshConnectionPool, target: SshTarget): Promise<number> {
  const started = performance.now();
  const process = await pool.spawn(target, [
    'sh',
    '-c',
    'cd "$1" && PYTHONUNBUFFERED=1 exec torchrun --standalone --nproc_per_node=1 ./train.py --steps 3',
    'sh',
    workspaceDir(workspaceId),
  ]);
  process.stdin.end();
  process.stderr.resume();
  return new Promise((resolve, reject) => {
    let first: number | undefined;
    process.stdout.on('data', () => (first ??= performance.now() - started));
    process.exit.then(() => (first === undefined ? reject(new Error('the peer printed nothing')) : resolve(first)), reject);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const hosts = await startJobHosts(1, 'bench');
  const pool = sandboxPool(hosts);
  try {
    const name = hosts.hosts[0].name;
    const host = sandboxJobHost(hosts, name, pool, poolSync(pool));
    const target: SshTarget = { host: hosts.host(name).address, port: hosts.host(name).port, user: hosts.user, label: name };
    const cache = new Map<string, PreflightReport>();
    await ours(host, pool, target, cache, 0); // warm: connection, preflight cache, first sync, page cache
    await peer(pool, target);
    const oursMs: number[] = [];
    const launchMs: number[] = [];
    const peerMs: number[] = [];
    for (let n = 1; n <= runs; n++) {
      const run = await ours(host, pool, target, cache, n);
      oursMs.push(run.firstLine);
      launchMs.push(run.launched);
      peerMs.push(await peer(pool, target));
    }
    const overhead = oursMs.map((ms, i) => ms - peerMs[i]);
    const row = (label: string, values: number[]): string =>
      `| ${label} | ${values.map((v) => v.toFixed(0)).join(', ')} | ${median(values).toFixed(0)} |`;
    console.log('| path | runs (ms) | median (ms) |\n|---|---|---|');
    console.log(row('Train on Azure → first script line (launch + log follower)', oursMs));
    console.log(row('peer: torchrun over the same warm connection → first line', peerMs));
    console.log(row('overhead (ours − peer, per pair)', overhead));
    console.log(row('of which the launch call (sync of the unchanged workspace + start, one round trip)', launchMs));
    console.log(
      `\nratio ${(median(oursMs) / median(peerMs)).toFixed(2)}× the peer; ` +
        `overhead median ${median(overhead).toFixed(0)} ms (goal ≤ 1000 ms)`,
    );
  } finally {
    pool.dispose();
    await hosts.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
