import type { MachineRef } from '../common/machine';
import { MachineStoppedError, type JobHost } from './jobHost';
import { probeJob, waitForJobChange } from './jobProbe';
import { isActive } from './jobState';
import type { JobRecord, JobStore } from './jobStore';

export interface JobMonitorOptions {
  /** Gives a connected host for a node, connecting or reconnecting as needed; MachineStoppedError when its VM is stopped. */
  connect(machine: MachineRef, signal: AbortSignal): Promise<JobHost>;
  /** A watched job reached a final state. */
  onEnded(record: JobRecord): void;
  /** A node could not be reached; the job keeps its last known state and is tried again. */
  onUnreachable?(record: JobRecord, error: unknown): void;
  /** How long one remote wait lasts before the job is probed again anyway. */
  readonly waitSeconds?: number;
  readonly maxRetryDelayMs?: number;
  /** How long to wait before a second probe confirms that a job is lost. */
  readonly lostRecheckMs?: number;
}

/**
 * Keeps the store's active jobs in step with their job folders. Each watched job is probed, then
 * waited on remotely until something changes; a lost connection keeps the job's state and is
 * retried with backoff, since the job itself runs on without the extension.
 */
export class JobMonitor {
  private readonly watching = new Map<string, AbortController>();
  private disposed = false;

  constructor(
    private readonly store: JobStore,
    private readonly options: JobMonitorOptions,
  ) {}

  /** Watches every active job of the store (on activation: re-attaches to jobs started earlier). */
  watchActive(): void {
    for (const record of this.store.active()) this.watch(record.spec.id);
  }

  watch(jobId: string): void {
    if (this.disposed || this.watching.has(jobId)) return;
    const controller = new AbortController();
    this.watching.set(jobId, controller);
    void this.follow(jobId, controller.signal).finally(() => {
      if (this.watching.get(jobId) === controller) this.watching.delete(jobId);
    });
  }

  isWatching(jobId: string): boolean {
    return this.watching.has(jobId);
  }

  /** Probes a job once now (after Cancel, say) and stores what it finds. */
  async refresh(jobId: string, signal?: AbortSignal): Promise<JobRecord | undefined> {
    const record = this.store.get(jobId);
    if (!record) return undefined;
    const hosts = await Promise.all(
      record.spec.nodes.map((node) => this.options.connect(node.target, signal ?? new AbortController().signal)),
    );
    const { derived } = await probeJob(record.spec, hosts, signal);
    return this.apply(record, derived.state, derived.startedAt, derived.endedAt);
  }

  stop(jobId: string): void {
    this.watching.get(jobId)?.abort();
    this.watching.delete(jobId);
  }

  dispose(): void {
    this.disposed = true;
    for (const controller of this.watching.values()) controller.abort();
    this.watching.clear();
  }

  private async follow(jobId: string, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const record = this.store.get(jobId);
      if (!record || !isActive(record.state)) return;
      try {
        const hosts = await Promise.all(record.spec.nodes.map((node) => this.options.connect(node.target, signal)));
        let { derived, nodes } = await probeJob(record.spec, hosts, signal);
        if (derived.state.kind === 'lost') {
          // Lost is final: a job caught between two of its own steps gets a second look first.
          await delay(this.options.lostRecheckMs ?? 1000, signal);
          ({ derived, nodes } = await probeJob(record.spec, hosts, signal));
        }
        if (signal.aborted) return;
        const updated = await this.apply(record, derived.state, derived.startedAt, derived.endedAt);
        if (!updated || !isActive(updated.state)) return;
        failures = 0;
        await waitForJobChange(record.spec, hosts, nodes, this.options.waitSeconds ?? 30, signal);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof MachineStoppedError) {
          // A stopped VM ran its processes down with it: the job will not come back.
          await this.apply(record, { kind: 'lost' }, undefined, Date.now());
          return;
        }
        failures++;
        this.options.onUnreachable?.(record, error);
        await delay(Math.min(this.options.maxRetryDelayMs ?? 30_000, 1000 * 2 ** Math.min(failures - 1, 5)), signal);
      }
    }
  }

  /** Stores a newly seen state; announces the end of a job that was active. */
  private async apply(
    record: JobRecord,
    state: JobRecord['state'],
    startedAt: number | undefined,
    endedAt: number | undefined,
  ): Promise<JobRecord | undefined> {
    const current = this.store.get(record.spec.id);
    if (!current) return undefined;
    const next: JobRecord = {
      ...current,
      state,
      startedAt: startedAt ?? current.startedAt,
      endedAt: endedAt ?? (isActive(state) ? undefined : (current.endedAt ?? Date.now())),
    };
    const changed =
      JSON.stringify([current.state, current.startedAt, current.endedAt]) !== JSON.stringify([next.state, next.startedAt, next.endedAt]);
    if (changed) await this.store.update(record.spec.id, { state: next.state, startedAt: next.startedAt, endedAt: next.endedAt });
    if (isActive(current.state) && !isActive(next.state)) this.options.onEnded(next);
    return next;
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
