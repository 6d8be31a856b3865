/**
 * A job's state, derived only from what its job folders on the nodes hold, so that it is right
 * whether or not the extension watched the job run.
 */
export type JobState =
  | { readonly kind: 'preparing' }
  | { readonly kind: 'running' }
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly exitCode: number }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'lost' };

export type JobStateKind = JobState['kind'];

export function isActive(state: JobState): boolean {
  return state.kind === 'preparing' || state.kind === 'running';
}

/** What one node's job folder says, as read by the probe command (see remoteCommands.ts). */
export interface NodeProbe {
  /** The job folder is not there at all. */
  readonly missing: boolean;
  readonly pid?: number;
  /** The run script (the session leader) is still alive. */
  readonly alive: boolean;
  readonly startedAt?: number;
  readonly runningAt?: number;
  readonly endedAt?: number;
  readonly exitCode?: number;
  readonly cancelled: boolean;
}

/** Parses the probe's `key=value` lines. */
export function parseNodeProbe(output: string): NodeProbe {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const int = (key: string): number | undefined => {
    const text = values.get(key);
    return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
  };
  return {
    missing: values.get('missing') === '1',
    pid: int('pid'),
    alive: values.get('alive') === '1',
    startedAt: int('started'),
    runningAt: int('running'),
    endedAt: int('ended'),
    exitCode: int('exit-code'),
    cancelled: values.get('cancelled') === '1',
  };
}

export interface DerivedState {
  readonly state: JobState;
  /** Epoch milliseconds, when the nodes say. */
  readonly startedAt?: number;
  readonly endedAt?: number;
}

/**
 * The job's state from every node's probe, in rank order. A job is running while any node is;
 * once none is, the first failing rank's exit code decides, and a cancel overrides a failure that
 * the cancel itself caused.
 */
export function deriveJobState(nodes: readonly NodeProbe[]): DerivedState {
  const starts = nodes.map((n) => n.startedAt).filter((t): t is number => t !== undefined);
  const ends = nodes.map((n) => n.endedAt).filter((t): t is number => t !== undefined);
  const startedAt = starts.length ? Math.min(...starts) * 1000 : undefined;
  const cancelled = nodes.some((n) => n.cancelled);
  const alive = nodes.filter((n) => n.alive && n.exitCode === undefined);
  if (alive.length > 0) {
    const running = alive.some((n) => n.runningAt !== undefined) || nodes.some((n) => n.runningAt !== undefined);
    return { state: { kind: running ? 'running' : 'preparing' }, startedAt };
  }
  const endedAt = ends.length ? Math.max(...ends) * 1000 : undefined;
  if (cancelled) return { state: { kind: 'cancelled' }, startedAt, endedAt };
  const failed = nodes.map((n) => n.exitCode).find((code): code is number => code !== undefined && code !== 0);
  if (failed !== undefined) return { state: { kind: 'failed', exitCode: failed }, startedAt, endedAt };
  if (nodes.length > 0 && nodes.every((n) => n.exitCode === 0)) return { state: { kind: 'succeeded' }, startedAt, endedAt };
  return { state: { kind: 'lost' }, startedAt, endedAt };
}

export function describeState(state: JobState): string {
  switch (state.kind) {
    case 'preparing':
      return 'Preparing';
    case 'running':
      return 'Running';
    case 'succeeded':
      return 'Succeeded';
    case 'failed':
      return `Failed (exit code ${state.exitCode})`;
    case 'cancelled':
      return 'Cancelled';
    case 'lost':
      return 'Lost';
  }
}
