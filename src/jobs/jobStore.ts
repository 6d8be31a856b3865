import { field, stringField } from '../common/fields';
import type { JobSpec } from './jobSpec';
import { isActive, type JobState } from './jobState';

/** A job as the Jobs view knows it: what was launched and what it last was seen to be. */
export interface JobRecord {
  readonly spec: JobSpec;
  readonly state: JobState;
  /** Epoch milliseconds: the run script began on the first node; until then, the launch time. */
  readonly startedAt: number;
  readonly endedAt?: number;
}

/** VS Code's Memento (globalState) has this shape; tests pass a Map-backed one. Values are checked when read. */
export interface KeyValueStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

const storageKey = 'azurePytorch.jobs.v1';

/**
 * The jobs launched from this machine, newest first, kept in the extension's global storage so
 * they survive reloads and restarts. At most `limit` records: the oldest finished ones go first;
 * an active job is never dropped.
 */
export class JobStore {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly limit = 100,
  ) {}

  /** Newest first. Read from storage each time: another window may have changed it. */
  all(): JobRecord[] {
    const records = this.storage.get(storageKey);
    return Array.isArray(records) ? records.filter(isRecord) : [];
  }

  get(id: string): JobRecord | undefined {
    return this.all().find((r) => r.spec.id === id);
  }

  active(): JobRecord[] {
    return this.all().filter((r) => isActive(r.state));
  }

  async add(record: JobRecord): Promise<void> {
    await this.write([record, ...this.all().filter((r) => r.spec.id !== record.spec.id)]);
  }

  /** Applies a change to one record; returns the record as it was before, or undefined if it is gone. */
  async update(id: string, change: Partial<Omit<JobRecord, 'spec'>>): Promise<JobRecord | undefined> {
    const records = this.all();
    const index = records.findIndex((r) => r.spec.id === id);
    if (index < 0) return undefined;
    const before = records[index];
    records[index] = { ...before, ...change };
    await this.write(records);
    return before;
  }

  async remove(id: string): Promise<void> {
    await this.write(this.all().filter((r) => r.spec.id !== id));
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async write(records: JobRecord[]): Promise<void> {
    await this.storage.update(storageKey, bounded(records, this.limit));
    for (const listener of [...this.listeners]) listener();
  }
}

function bounded(records: JobRecord[], limit: number): JobRecord[] {
  if (records.length <= limit) return records;
  const keep = new Set<JobRecord>(records.filter((r) => isActive(r.state)));
  for (const record of records) {
    if (keep.size >= limit) break;
    keep.add(record);
  }
  return records.filter((r) => keep.has(r));
}

function isRecord(value: unknown): value is JobRecord {
  return stringField(field(value, 'spec'), 'id') !== undefined && stringField(field(value, 'state'), 'kind') !== undefined;
}
