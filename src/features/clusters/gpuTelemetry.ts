import * as vscode from 'vscode';
import { Disposable } from '../../common/disposable';
import { machineKey, type MachineRef } from '../../common/machine';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';
import { isStaleReading } from './gpuLoad';

/** Readings older than this are dropped: the job ended, or nothing polls the machine any more. */
export const GPU_READING_MAX_AGE_MS = 30_000;
const EXPIRY_CHECK_MS = 5_000;

/**
 * The latest GPU reading of each machine a job runs on, from the log panel's pollers or the
 * Clusters view's own; a reading that grows stale is dropped and its machine's node redrawn.
 */
export class ClusterGpuTelemetry extends Disposable {
  /** By machine key. */
  private readonly readings = new Map<string, { readonly machine: MachineRef; readonly reading: GpuTelemetry }>();
  private readonly changed = this.register(new vscode.EventEmitter<MachineRef>());
  /** Fired with the machine whose reading changed or was dropped. */
  readonly onDidChange = this.changed.event;
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxAgeMs = GPU_READING_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.register({ dispose: () => clearInterval(this.expiryTimer) });
  }

  /** Keeps a reading of the machine; an older one than what is kept is ignored. */
  record(machine: MachineRef, reading: GpuTelemetry): void {
    const key = machineKey(machine);
    const kept = this.readings.get(key);
    if (kept && kept.reading.time > reading.time) return;
    this.readings.set(key, { machine, reading });
    this.expiryTimer ??= setInterval(() => this.dropStale(), EXPIRY_CHECK_MS);
    this.changed.fire(machine);
  }

  /** The machine's current reading, or undefined when there is none or it is stale. */
  latest(machine: MachineRef): GpuTelemetry | undefined {
    const reading = this.readings.get(machineKey(machine))?.reading;
    return reading && !isStaleReading(reading, this.now(), this.maxAgeMs) ? reading : undefined;
  }

  /** When the machine was last read, fresh or not (epoch ms). */
  lastReadAt(machine: MachineRef): number | undefined {
    return this.readings.get(machineKey(machine))?.reading.time;
  }

  /** Drops the readings of every machine but these: no job runs on the others any more. */
  retainOnly(machines: readonly MachineRef[]): void {
    const kept = new Set(machines.map(machineKey));
    for (const [key, { machine }] of [...this.readings]) {
      if (kept.has(key)) continue;
      this.readings.delete(key);
      this.changed.fire(machine);
    }
  }

  private dropStale(): void {
    const now = this.now();
    for (const [key, { machine, reading }] of this.readings) {
      if (!isStaleReading(reading, now, this.maxAgeMs)) continue;
      this.readings.delete(key);
      this.changed.fire(machine);
    }
    if (this.readings.size === 0) {
      clearInterval(this.expiryTimer);
      this.expiryTimer = undefined;
    }
  }
}
