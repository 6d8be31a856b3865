import { nvidiaSmiArgv, parseNvidiaSmi, type GpuTelemetry, type NvidiaSmiResult } from './nvidiaSmi';
import type { RemoteCommandRunnerProvider } from './remoteCommandRunner';

/** Reads nvidia-smi on one node every `intervalMs` until disposed; failures are readings too. */
export class GpuTelemetryPoller {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private cancelRunning: (() => void) | undefined;

  constructor(
    private readonly connect: RemoteCommandRunnerProvider,
    private readonly intervalMs: number,
    private readonly onReading: (reading: GpuTelemetry) => void,
    private readonly timeoutMs = 10_000,
  ) {}

  start(): void {
    void this.poll();
  }

  dispose(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.cancelRunning?.();
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    const reading = await this.readOnce().catch((error: unknown): NvidiaSmiResult => ({
      kind: 'unavailable',
      reason: `cannot reach the VM (${error instanceof Error ? error.message : String(error)})`,
    }));
    if (this.stopped) return;
    this.onReading({ ...reading, time: Date.now() });
    this.timer = setTimeout(() => void this.poll(), this.intervalMs);
  }

  private async readOnce(): Promise<NvidiaSmiResult> {
    const runner = await this.connect();
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const command = runner.start(nvidiaSmiArgv, { onStdout: (chunk) => stdout.push(chunk), onStderr: (chunk) => stderr.push(chunk) });
    this.cancelRunning = () => command.cancel();
    const timeout = setTimeout(() => command.cancel(), this.timeoutMs);
    try {
      const result = await command.result;
      return parseNvidiaSmi(Buffer.concat(stdout).toString(), Buffer.concat(stderr).toString(), result.exitCode);
    } finally {
      clearTimeout(timeout);
      this.cancelRunning = undefined;
    }
  }
}
