import * as vscode from 'vscode';
import { Disposable } from '../../common/disposable';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';
import { isStaleReading } from './gpuLoad';

/** Readings older than this are dropped: the job ended, or nothing polls the machine any more. */
export const GPU_READING_MAX_AGE_MS = 30_000;
const EXPIRY_CHECK_MS = 5_000;

/**
 * How a machine is named for telemetry, the way job hosts are named (`vm:<resource id>`, `ssh:<host>`);
 * VM resource ids are compared without case, as Azure does.
 */
export function telemetryKey(host: string): string {
  return host.startsWith('vm:') ? host.toLowerCase() : host;
}

/**
 * The latest GPU reading of each machine a job runs on, from the log panel's pollers or the
 * Clusters view's own; a reading that grows stale is dropped and its machine's node redrawn.
 */
export class ClusterGpuTelemetry extends Disposable {
  private readonly readings = new Map<string, GpuTelemetry>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fired with the machine's key when its reading changed or was dropped. */
  readonly onDidChange = this.changed.event;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxAgeMs = GPU_READING_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.register({ dispose: () => clearInterval(this.expiryTimer) });
  }

  /** Keeps a reading of `host` (a job host key); an older one than what is kept is ignored. */
  record(host: string, reading: GpuTelemetry): void {
    const key = telemetryKey(host);
    const kept = this.readings.get(key);
    if (kept && kept.time > reading.time) return;
    this.readings.set(key, reading);
    this.expiryTimer ??= setInterval(() => this.dropStale(), EXPIRY_CHECK_MS);
    this.changed.fire(key);
  }

  /** The machine's current reading, or undefined when there is none or it is stale. */
  latest(host: string): GpuTelemetry | undefined {
    const reading = this.readings.get(telemetryKey(host));
    return reading && !isStaleReading(reading, this.now(), this.maxAgeMs) ? reading : undefined;
  }

  /** When the machine was last read, fresh or not (epoch ms). */
  lastReadAt(host: string): number | undefined {
    return this.readings.get(telemetryKey(host))?.time;
  }

  /** Drops the readings of every machine but these (job host keys): no job runs on the others any more. */
  retainOnly(hosts: readonly string[]): void {
    const kept = new Set(hosts.map(telemetryKey));
    for (const key of [...this.readings.keys()]) {
      if (kept.has(key)) continue;
      this.readings.delete(key);
      this.changed.fire(key);
    }
  }

  private dropStale(): void {
    const now = this.now();
    for (const [key, reading] of this.readings) {
      if (!isStaleReading(reading, now, this.maxAgeMs)) continue;
      this.readings.delete(key);
      this.changed.fire(key);
    }
    if (this.readings.size === 0) {
      clearInterval(this.expiryTimer);
      this.expiryTimer = undefined;
    }
  }
}
