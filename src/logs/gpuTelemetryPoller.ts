import { mapConcurrently } from '../common/concurrency';
import { errorMessage } from '../common/errors';
import type { MachineRef } from '../common/machine';
import { nvidiaSmiArgv, parseNvidiaSmi, type GpuTelemetry, type NvidiaSmiResult } from './nvidiaSmi';
import type { RemoteCommandRunner } from './remoteCommandRunner';

/** Runs nvidia-smi once; what goes wrong becomes the reading's reason. `signal` cancels the command. */
export async function readGpuTelemetry(
  runner: RemoteCommandRunner,
  options: { readonly timeoutMs: number; readonly now?: () => number; readonly signal?: AbortSignal },
): Promise<GpuTelemetry> {
  const { timeoutMs, now = Date.now, signal } = options;
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const command = runner.start(nvidiaSmiArgv, { onStdout: (chunk) => stdout.push(chunk), onStderr: (chunk) => stderr.push(chunk) });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    command.cancel();
  }, timeoutMs);
  const cancel = (): void => command.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  if (signal?.aborted) cancel();
  try {
    const result = await command.result;
    const parsed: NvidiaSmiResult = timedOut
      ? { kind: 'unavailable', reason: `nvidia-smi did not answer within ${Math.round(timeoutMs / 1000)} s` }
      : parseNvidiaSmi(Buffer.concat(stdout).toString(), Buffer.concat(stderr).toString(), result.exitCode);
    return { ...parsed, time: now() };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

export interface GpuTelemetryPollerOptions {
  /** The machines to read, asked at each round; with none the poller idles until woken. */
  machines(): readonly MachineRef[];
  /** A command runner on a machine, connecting (or reconnecting) as needed. */
  connect(machine: MachineRef): Promise<RemoteCommandRunner>;
  /** Every reading, failures included; none comes after dispose(). */
  onReading(machine: MachineRef, reading: GpuTelemetry): void;
  /** The time between rounds, asked at each round so that a settings change applies at once. */
  intervalMs(): number;
  /** When anyone last read a machine (epoch ms): one read within the interval is not read again. */
  lastReadAt?(machine: MachineRef): number | undefined;
  /** nvidia-smi runs at once on at most this many machines. */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * Reads nvidia-smi on a set of machines: a round every interval, a few machines at a time, each
 * failure a reading too. Idle (no timer, no connection) while there is no machine to read.
 */
export class GpuTelemetryPoller {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly stopped = new AbortController();

  constructor(private readonly options: GpuTelemetryPollerOptions) {}

  /** Starts a round soon, unless one is scheduled or under way, or there is no machine to read. */
  wake(): void {
    if (this.stopped.signal.aborted || this.polling || this.timer) return;
    if (this.options.machines().length === 0) return;
    this.timer = setTimeout(() => void this.round(), 0);
  }

  /** Stops for good; a reading under way is cancelled. */
  dispose(): void {
    this.stopped.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async round(): Promise<void> {
    this.timer = undefined;
    const { signal } = this.stopped;
    const machines = this.options.machines();
    if (signal.aborted || machines.length === 0) return;
    this.polling = true;
    const { concurrency = 4, timeoutMs = 10_000, now = Date.now } = this.options;
    const intervalMs = this.options.intervalMs();
    const due = machines.filter((machine) => {
      const last = this.options.lastReadAt?.(machine);
      return last === undefined || now() - last >= intervalMs;
    });
    try {
      await mapConcurrently(due, concurrency, async (machine) => {
        const reading = await this.options
          .connect(machine)
          .then((runner) => readGpuTelemetry(runner, { timeoutMs, now, signal }))
          .catch((error: unknown): GpuTelemetry => ({
            kind: 'unavailable',
            reason: `cannot reach the machine (${errorMessage(error)})`,
            time: now(),
          }));
        if (!signal.aborted) this.options.onReading(machine, reading);
      });
    } finally {
      this.polling = false;
    }
    if (!signal.aborted && this.options.machines().length > 0) this.timer = setTimeout(() => void this.round(), intervalMs);
  }
}
