import { UserCancelledError } from '../common/errors';
import { machineKey } from '../common/machine';
import type { SyncProgress } from '../sync/workspaceSync';
import { execChecked, type JobHost } from './jobHost';
import type { JobSpec } from './jobSpec';
import { evaluatePreflight, parsePreflight, preflightCommand, type PreflightReport } from './preflight';
import { cancelNodeCommand, launchNodeCommand, removeJobDirCommand } from './remoteCommands';
import { runScript } from './runScript';

/** A connected node of the job to be, in rank order. */
export interface LaunchNode {
  readonly host: JobHost;
  /** The GPUs its size has (Azure's count); undefined for SSH hosts, where nothing is expected. */
  readonly expectedGpus?: number;
  /** An address the other nodes can reach it by inside its network (an Azure VM's private IP). */
  readonly privateAddress?: string;
}

export interface LaunchDependencies {
  /** Progress, one step at a time. */
  report(step: string): void;
  /** How far the workspace sync of the node of rank `rank` is. */
  onSyncProgress?(rank: number, progress: SyncProgress): void;
  readonly signal: AbortSignal;
  readonly requirementsText?: string;
  /** Preflight results that passed, by host and interpreter: a warm launch skips the round trip. */
  readonly preflightCache?: Map<string, PreflightReport>;
}

export interface LaunchedJob {
  readonly spec: JobSpec;
  /** Preflight warnings, to show once the job runs. */
  readonly warnings: readonly string[];
}

/** A launch that could not start; nothing of it is left running. */
export class LaunchError extends Error {}

/**
 * Starts a job: preflight every node, pick the rendezvous, sync the workspace, then write the
 * job's files and start it detached on every node. Cancellable until the last step; if that step
 * fails on any node, the nodes already started are stopped and their job folders removed.
 */
export async function launchJob(draft: JobSpec, nodes: readonly LaunchNode[], deps: LaunchDependencies): Promise<LaunchedJob> {
  if (nodes.length === 0) throw new LaunchError('Choose at least one machine to train on.');
  if (nodes.length !== draft.nodes.length) throw new Error('The job spec and the connected nodes disagree.');
  const { signal } = deps;

  deps.report(nodes.length > 1 ? `Checking ${nodes.length} machines…` : `Checking ${nodes[0].host.machine.label}…`);
  const reports = await Promise.all(nodes.map((node) => preflight(node, draft.python, deps)));
  const problems = nodes.flatMap((node, i) =>
    evaluatePreflight(reports[i], { machine: node.host.machine.label, python: draft.python, gpus: node.expectedGpus }),
  );
  const errors = problems.filter((p) => p.severity === 'error').map((p) => p.message);
  if (errors.length) throw new LaunchError(errors.join('\n'));
  nodes.forEach((node, i) => deps.preflightCache?.set(cacheKey(node.host, draft.python), reports[i]));
  throwIfAborted(signal);

  const withHomes: JobSpec = { ...draft, nodes: draft.nodes.map((node, i) => ({ ...node, home: reports[i].home ?? node.home })) };
  const spec: JobSpec =
    nodes.length > 1 ? { ...withHomes, rendezvous: await chooseRendezvous(nodes, reports[0], draft.python, signal) } : withHomes;
  throwIfAborted(signal);

  deps.report('Syncing the workspace…');
  await Promise.all(nodes.map((node, rank) => node.host.syncWorkspace(spec, signal, (progress) => deps.onSyncProgress?.(rank, progress))));
  throwIfAborted(signal);

  deps.report('Starting the job…');
  const specJson = JSON.stringify(spec, undefined, 2);
  const script = runScript({ spec, requirementsText: deps.requirementsText });
  // Past this point the job is started whatever the signal says: a half-cancelled start would leave
  // some nodes waiting at the rendezvous for ones that never come.
  const started = await Promise.allSettled(
    nodes.map((node, rank) => {
      const command = launchNodeCommand(spec, rank, specJson, script);
      return execChecked(node.host, command.argv, 'starting the job', undefined, command.stdin);
    }),
  );
  const failures = started.flatMap((result) =>
    result.status === 'rejected' ? [result.reason instanceof Error ? result.reason.message : String(result.reason)] : [],
  );
  if (failures.length) {
    await Promise.allSettled(
      nodes.map((node, rank) => (started[rank].status === 'fulfilled' ? undoStart(node.host, spec, rank) : Promise.resolve())),
    );
    throw new LaunchError(`The job could not be started, and was stopped everywhere: ${failures.join('; ')}`);
  }
  return { spec, warnings: problems.filter((p) => p.severity === 'warning').map((p) => p.message) };
}

async function preflight(node: LaunchNode, python: string, deps: LaunchDependencies): Promise<PreflightReport> {
  const cached = deps.preflightCache?.get(cacheKey(node.host, python));
  if (cached) return cached;
  const result = await node.host.exec(preflightCommand(python), deps.signal);
  if (result.exitCode !== 0)
    throw new LaunchError(`${node.host.machine.label}: the preflight check failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  return parsePreflight(result.stdout);
}

function cacheKey(host: JobHost, python: string): string {
  return `${machineKey(host.machine)}\n${python}`;
}

/**
 * Node 0's `host:port` for the c10d rendezvous. Its host name is what PyTorch itself uses (gloo
 * and NCCL resolve their own name), so it comes first when every other node resolves it; then its
 * private address, then the address the extension reaches it by. The port is one node 0 says is free.
 */
async function chooseRendezvous(
  nodes: readonly LaunchNode[],
  node0: PreflightReport,
  python: string,
  signal: AbortSignal,
): Promise<string> {
  const [first, ...others] = nodes;
  const hostname = node0.hostname;
  let host = first.privateAddress ?? first.host.address;
  if (hostname && /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(hostname)) {
    const resolved = await Promise.all(
      others.map((node) => node.host.exec(['getent', 'hosts', hostname], signal).then((r) => r.exitCode === 0 && r.stdout.trim() !== '')),
    );
    if (resolved.every(Boolean)) host = hostname;
  }
  const port = (
    await execChecked(
      first.host,
      [python, '-c', 'import socket\ns = socket.socket()\ns.bind(("", 0))\nprint(s.getsockname()[1])'],
      'finding a free port',
      signal,
    )
  ).trim();
  if (!/^\d+$/.test(port))
    throw new LaunchError(`${first.host.machine.label}: could not find a free port for the rendezvous (got ${JSON.stringify(port)}).`);
  return `${host}:${port}`;
}

/** Stops a node that started while another failed to, and removes its job folder. */
async function undoStart(host: JobHost, spec: JobSpec, rank: number): Promise<void> {
  await host.exec(cancelNodeCommand(spec.python, spec.id, rank, 2));
  await host.exec(removeJobDirCommand(spec.id));
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new UserCancelledError('The launch was cancelled; nothing was started.');
}
