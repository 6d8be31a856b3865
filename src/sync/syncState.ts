import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { field, isRecord, numberField, stringField } from '../common/fields';
import type { CachedHash } from './contentHash';
import type { EntryType, RemoteEntry } from './syncEntry';

/** What the last sync left on the remote side, per path, with the stat the remote reported. */
export interface RemoteRecord {
  readonly type: EntryType;
  readonly size: number;
  readonly mtime: string;
  readonly mode: number;
  /** Content hash of a file, when known. */
  readonly hash?: string;
  /** The remote ctime (`find %C@`) when listed: any later change to the inode changes it. */
  readonly ctime?: string;
  /** The remote inode and its link count when listed (see unchangedSince). */
  readonly inode?: string;
  readonly links?: number;
  /** For symlinks: the target. */
  readonly linkTarget?: string;
}

/**
 * What the last sync left on the remote side. With a checkpoint (the folder's clock, `seconds.nanos`),
 * the records are exact for every path whose ctime is not after it; anything changed since can be
 * found by ctime alone, without listing the whole tree.
 */
export interface RemoteState {
  readonly records: Map<string, RemoteRecord>;
  readonly checkpoint?: string;
}

/** Persisted between syncs; lost state only costs a slower sync (hashes are recomputed). */
export interface SyncStateStore {
  loadRemote(key: string): Promise<RemoteState | undefined>;
  saveRemote(key: string, state: RemoteState): Promise<void>;
  loadHashes(key: string): Promise<Map<string, CachedHash>>;
  saveHashes(key: string, hashes: ReadonlyMap<string, CachedHash>): Promise<void>;
}

/** A record still describes the remote file when its inode is unchanged (the ctime moves with any change, mtime may be set back). */
export function recordMatches(record: RemoteRecord | undefined, remote: RemoteEntry | undefined): record is RemoteRecord {
  return (
    record !== undefined &&
    remote !== undefined &&
    record.type === remote.type &&
    record.size === remote.size &&
    record.mtime === remote.mtime &&
    record.mode === remote.mode &&
    unchangedSince(record, remote)
  );
}

/**
 * Whether the remote path's inode is as recorded: its ctime unchanged, or only its link count moved
 * (a job's snapshot `cp -al` linked it, or removing the job unlinked it) with the same inode, size,
 * mtime and mode. Every launch links the whole workspace: without this, the sync after it would
 * list and hash the whole remote tree.
 */
export function unchangedSince(record: RemoteRecord, remote: RemoteEntry): boolean {
  if (record.ctime !== undefined && record.ctime === remote.ctime) return true;
  return (
    record.inode !== undefined &&
    record.inode === remote.inode &&
    record.links !== undefined &&
    record.links !== remote.links &&
    record.size === remote.size &&
    record.mtime === remote.mtime &&
    record.mode === remote.mode
  );
}

// 2: remote records carry ctime and a checkpoint; 3: inode and link count, and the checkpoint is
// the synced folder's clock. Older files are ignored (the next sync lists the remote tree).
const FORMAT_VERSION = 3;

/**
 * JSON files in a folder (the extension's global storage), one per key. Loaded once and then kept
 * in memory; saves are written atomically in the background, one after another, so a sync does
 * not wait for bookkeeping — and a load waits for the saves queued before it.
 */
export class FileSyncStateStore implements SyncStateStore {
  private readonly remote = new Map<string, RemoteState>();
  private readonly hashes = new Map<string, Map<string, CachedHash>>();
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly folder: string,
    private readonly onWriteError: (error: Error) => void = () => undefined,
  ) {}

  /** The caller owns the returned records (a copy). */
  async loadRemote(key: string): Promise<RemoteState | undefined> {
    let state = this.remote.get(key);
    if (!state) {
      await this.writes;
      const data = await this.read(`remote-${key}`);
      const records = field(data, 'records');
      if (!isRecord(records)) return undefined;
      state = { records: parsedEntries(records, savedRecordOf), checkpoint: stringField(data, 'checkpoint') };
      this.remote.set(key, state);
    }
    return { records: new Map(state.records), checkpoint: state.checkpoint };
  }

  /** Takes ownership of the records: the caller must not change them afterwards. */
  saveRemote(key: string, state: RemoteState): Promise<void> {
    this.remote.set(key, state);
    this.queue(`remote-${key}`, () => ({ records: Object.fromEntries(state.records), checkpoint: state.checkpoint }));
    return Promise.resolve();
  }

  async loadHashes(key: string): Promise<Map<string, CachedHash>> {
    const cached = this.hashes.get(key);
    if (cached) return new Map(cached);
    await this.writes;
    const data = await this.read(`hashes-${key}`);
    const hashes = isRecord(data) ? parsedEntries(data, savedHashOf) : new Map<string, CachedHash>();
    this.hashes.set(key, hashes);
    return new Map(hashes);
  }

  saveHashes(key: string, hashes: ReadonlyMap<string, CachedHash>): Promise<void> {
    this.hashes.set(key, new Map(hashes));
    this.queue(`hashes-${key}`, () => Object.fromEntries(hashes));
    return Promise.resolve();
  }

  /** Resolves once every queued save is on disk. */
  flush(): Promise<void> {
    return this.writes;
  }

  private queue(name: string, data: () => unknown): void {
    // setImmediate: serializing thousands of records waits until the sync that saved them has returned.
    this.writes = this.writes
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.write(name, data()))
      .catch((error: Error) => this.onWriteError(error));
  }

  private file(name: string): string {
    return path.join(this.folder, `${createHash('sha256').update(name).digest('hex').slice(0, 32)}.json`);
  }

  /** The data of a saved file, still to be narrowed; undefined when missing, unreadable or of another format. */
  private async read(name: string): Promise<unknown> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.file(name), 'utf8'));
      return numberField(parsed, 'version') === FORMAT_VERSION ? field(parsed, 'data') : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(name: string, data: unknown): Promise<void> {
    await fs.mkdir(this.folder, { recursive: true });
    const file = this.file(name);
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(temporary, JSON.stringify({ version: FORMAT_VERSION, data }));
    await fs.rename(temporary, file);
  }
}

/** The entries of a saved object that parse; the others are dropped (a lost record only costs a slower sync). */
function parsedEntries<T>(saved: Readonly<Record<string, unknown>>, parse: (value: unknown) => T | undefined): Map<string, T> {
  const entries = new Map<string, T>();
  for (const [name, value] of Object.entries(saved)) {
    const parsed = parse(value);
    if (parsed !== undefined) entries.set(name, parsed);
  }
  return entries;
}

function savedRecordOf(value: unknown): RemoteRecord | undefined {
  const type = stringField(value, 'type');
  const size = numberField(value, 'size');
  const mtime = stringField(value, 'mtime');
  const mode = numberField(value, 'mode');
  if ((type !== 'file' && type !== 'dir' && type !== 'symlink') || size === undefined || mtime === undefined || mode === undefined)
    return undefined;
  const hash = stringField(value, 'hash');
  const ctime = stringField(value, 'ctime');
  const inode = stringField(value, 'inode');
  const links = numberField(value, 'links');
  const linkTarget = stringField(value, 'linkTarget');
  return {
    type,
    size,
    mtime,
    mode,
    ...(hash === undefined ? {} : { hash }),
    ...(ctime === undefined ? {} : { ctime }),
    ...(inode === undefined ? {} : { inode }),
    ...(links === undefined ? {} : { links }),
    ...(linkTarget === undefined ? {} : { linkTarget }),
  };
}

function savedHashOf(value: unknown): CachedHash | undefined {
  const statKey = stringField(value, 'statKey');
  const hash = stringField(value, 'hash');
  const hashedAtMs = numberField(value, 'hashedAtMs');
  return statKey === undefined || hash === undefined || hashedAtMs === undefined ? undefined : { statKey, hash, hashedAtMs };
}
