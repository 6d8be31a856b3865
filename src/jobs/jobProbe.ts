import { execChecked, type JobHost } from './jobHost';
import type { JobSpec } from './jobSpec';
import { deriveJobState, parseNodeProbe, type DerivedState, type NodeProbe } from './jobState';
import { cancelNodeCommand, parseCancelOutput, probeNodeCommand, waitNodeCommand } from './remoteCommands';

/** Reads every node's job folder; rejects when a node cannot be reached (the state is then unknown). */
export async function probeJob(
  spec: JobSpec,
  hosts: readonly JobHost[],
  signal?: AbortSignal,
): Promise<{ derived: DerivedState; nodes: NodeProbe[] }> {
  const outputs = await Promise.all(
    hosts.map((host, rank) => execChecked(host, probeNodeCommand(spec.id, rank), 'reading the job state', signal)),
  );
  const nodes = outputs.map(parseNodeProbe);
  return { derived: deriveJobState(nodes), nodes };
}

/** Resolves when any node's part of the job changes (or after the timeout): see waitNodeCommand. */
export async function waitForJobChange(
  spec: JobSpec,
  hosts: readonly JobHost[],
  nodes: readonly NodeProbe[],
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<void> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    const waits = hosts.map((host, rank) =>
      nodes[rank]?.alive
        ? host.exec(waitNodeCommand(spec.id, rank, nodes[rank].runningAt !== undefined, timeoutSeconds), stop.signal)
        : undefined,
    );
    const pending = waits.filter((w): w is NonNullable<typeof w> => w !== undefined);
    if (pending.length) await Promise.race(pending);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

/**
 * Cancels the job on every node: SIGTERM to every process of each node's job session, SIGKILL
 * after a grace period, then checks that none is left. Throws naming the nodes where some are.
 */
export async function cancelJobOnNodes(spec: JobSpec, hosts: readonly JobHost[], graceSeconds = 10): Promise<void> {
  const results = await Promise.allSettled(
    hosts.map((host, rank) => execChecked(host, cancelNodeCommand(spec.python, spec.id, rank, graceSeconds), 'cancelling the job')),
  );
  const problems = results.flatMap((result, rank) => {
    if (result.status === 'rejected') return [result.reason instanceof Error ? result.reason.message : String(result.reason)];
    const left = parseCancelOutput(result.value);
    return left > 0 ? [`${hosts[rank].machine.label}: ${left} process${left === 1 ? '' : 'es'} of the job would not stop`] : [];
  });
  if (problems.length) throw new Error(problems.join('; '));
}
