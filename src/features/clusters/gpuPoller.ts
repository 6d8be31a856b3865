import { mapConcurrently } from '../../common/concurrency';
import { errorMessage } from '../../common/errors';
import type { JobRecord } from '../../jobs/jobStore';
import { nvidiaSmiArgv, parseNvidiaSmi, type GpuTelemetry, type NvidiaSmiResult } from '../../logs/nvidiaSmi';
import type { RemoteCommandRunner } from '../../logs/remoteCommandRunner';

/** Where readings go, and when each machine was last read (by anyone, e.g. an open log panel). */
export interface GpuReadingSink {
  record(host: string, reading: GpuTelemetry): void;
  lastReadAt(host: string): number | undefined;
  /** Forgets every machine but these. */
  retainOnly(hosts: readonly string[]): void;
}

/** The jobs, as the poller watches them. */
export interface RunningJobSource {
  active(): JobRecord[];
  onDidChange(listener: () => void): { dispose(): void };
}

export interface ClusterGpuPollerOptions {
  readonly sink: GpuReadingSink;
  readonly jobs: RunningJobSource;
  /** A command runner on a job host (`vm:<id>` or `ssh:<host>`), over the pooled connection. */
  readonly connect: (host: string) => Promise<RemoteCommandRunner>;
  /** Read at each round, so a settings change applies at once. */
  readonly intervalMs: () => number;
  /** nvidia-smi runs at once on at most this many machines. */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** The machines of running jobs, each once, named as job hosts are (`vm:<resource id>`, `ssh:<host>`). */
export function runningJobHosts(records: readonly JobRecord[]): string[] {
  const hosts = new Set<string>();
  for (const record of records) {
    if (record.state.kind !== 'running') continue;
    for (const node of record.spec.nodes) hosts.add(`${node.target.kind}:${node.target.id}`);
  }
  return [...hosts];
}

/** Runs nvidia-smi once; what goes wrong becomes the reading's reason. */
export async function readGpuTelemetry(
  runner: RemoteCommandRunner,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<GpuTelemetry> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const command = runner.start(nvidiaSmiArgv, { onStdout: (chunk) => stdout.push(chunk), onStderr: (chunk) => stderr.push(chunk) });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    command.cancel();
  }, timeoutMs);
  try {
    const result = await command.result;
    const parsed: NvidiaSmiResult = timedOut
      ? { kind: 'unavailable', reason: `nvidia-smi did not answer within ${Math.round(timeoutMs / 1000)} s` }
      : parseNvidiaSmi(Buffer.concat(stdout).toString(), Buffer.concat(stderr).toString(), result.exitCode);
    return { ...parsed, time: now() };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Keeps the Clusters view's GPU summaries live while jobs run, whether or not their log panels are
 * open: every interval it reads nvidia-smi on the machines of running jobs that no one else read
 * within the interval, a few at a time. Idle (no timer, no connection) while no job runs.
 */
export class ClusterGpuPoller {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private disposed = false;
  private readonly jobsSubscription: { dispose(): void };

  constructor(private readonly options: ClusterGpuPollerOptions) {
    this.jobsSubscription = options.jobs.onDidChange(() => {
      // A machine whose last job ended shows no load any more, rather than its last reading.
      options.sink.retainOnly(runningJobHosts(options.jobs.active()));
      this.wake();
    });
    this.wake();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.jobsSubscription.dispose();
  }

  /** Starts a round soon when jobs run and none is scheduled or under way. */
  private wake(): void {
    if (this.disposed || this.polling || this.timer) return;
    if (runningJobHosts(this.options.jobs.active()).length === 0) return;
    this.timer = setTimeout(() => void this.round(), 0);
  }

  private async round(): Promise<void> {
    this.timer = undefined;
    const hosts = runningJobHosts(this.options.jobs.active());
    if (this.disposed || hosts.length === 0) return;
    this.polling = true;
    const { sink, concurrency = 4, timeoutMs = 10_000 } = this.options;
    const now = this.options.now ?? Date.now;
    const intervalMs = this.options.intervalMs();
    // A machine whose log panel polls it already has a fresh reading: no second nvidia-smi.
    const due = hosts.filter((host) => {
      const last = sink.lastReadAt(host);
      return last === undefined || now() - last >= intervalMs;
    });
    try {
      await mapConcurrently(due, concurrency, async (host) => {
        const reading = await this.options
          .connect(host)
          .then((runner) => readGpuTelemetry(runner, timeoutMs, now))
          .catch((error: unknown): GpuTelemetry => ({
            kind: 'unavailable',
            reason: `cannot reach the machine (${errorMessage(error)})`,
            time: now(),
          }));
        if (!this.disposed) sink.record(host, reading);
      });
    } finally {
      this.polling = false;
    }
    if (!this.disposed && runningJobHosts(this.options.jobs.active()).length > 0) {
      this.timer = setTimeout(() => void this.round(), intervalMs);
    }
  }
}
