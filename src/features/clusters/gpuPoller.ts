import { machineKey, type MachineRef } from '../../common/machine';
import type { JobRecord } from '../../jobs/jobStore';
import { GpuTelemetryPoller } from '../../logs/gpuTelemetryPoller';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';
import type { RemoteCommandRunner } from '../../logs/remoteCommandRunner';

/** Where readings go, and when each machine was last read (by anyone, e.g. an open log panel). */
export interface GpuReadingSink {
  record(machine: MachineRef, reading: GpuTelemetry): void;
  lastReadAt(machine: MachineRef): number | undefined;
  /** Forgets every machine but these. */
  retainOnly(machines: readonly MachineRef[]): void;
}

/** The jobs, as the poller watches them. */
export interface RunningJobSource {
  active(): JobRecord[];
  onDidChange(listener: () => void): { dispose(): void };
}

export interface ClusterGpuPollerOptions {
  readonly sink: GpuReadingSink;
  readonly jobs: RunningJobSource;
  /** A command runner on a machine, over the pooled connection. */
  readonly connect: (machine: MachineRef) => Promise<RemoteCommandRunner>;
  /** Read at each round, so a settings change applies at once. */
  readonly intervalMs: () => number;
  /** nvidia-smi runs at once on at most this many machines. */
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** The machines of running jobs, each once. */
export function runningJobMachines(records: readonly JobRecord[]): MachineRef[] {
  const machines = new Map<string, MachineRef>();
  for (const record of records) {
    if (record.state.kind !== 'running') continue;
    for (const node of record.spec.nodes) {
      const key = machineKey(node.target);
      if (!machines.has(key)) machines.set(key, node.target);
    }
  }
  return [...machines.values()];
}

/**
 * Keeps the Clusters view's GPU summaries live while jobs run, whether or not their log panels are
 * open: every interval it reads nvidia-smi on the machines of running jobs that no one else read
 * within the interval, a few at a time. Idle (no timer, no connection) while no job runs.
 */
export class ClusterGpuPoller {
  private readonly poller: GpuTelemetryPoller;
  private readonly jobsSubscription: { dispose(): void };

  constructor({ sink, jobs, connect, intervalMs, concurrency, timeoutMs, now }: ClusterGpuPollerOptions) {
    this.poller = new GpuTelemetryPoller({
      machines: () => runningJobMachines(jobs.active()),
      connect,
      onReading: (machine, reading) => sink.record(machine, reading),
      intervalMs,
      // A machine whose log panel polls it already has a fresh reading: no second nvidia-smi.
      lastReadAt: (machine) => sink.lastReadAt(machine),
      concurrency,
      timeoutMs,
      now,
    });
    this.jobsSubscription = jobs.onDidChange(() => {
      // A machine whose last job ended shows no load any more, rather than its last reading.
      sink.retainOnly(runningJobMachines(jobs.active()));
      this.poller.wake();
    });
    this.poller.wake();
  }

  dispose(): void {
    this.jobsSubscription.dispose();
    this.poller.dispose();
  }
}
