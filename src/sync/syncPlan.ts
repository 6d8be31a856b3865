import { comparePaths } from './localScan';
import { normalizeMode, isSafeRelativePath, type LocalEntry, type RemoteView } from './syncEntry';

/** A remote removal: `tree` for a path whose type changes, `file` or `dir` for a deleted one. */
export interface Removal {
  readonly path: string;
  readonly kind: 'tree' | 'file' | 'dir';
}

export interface SyncPlan {
  /** Entries to send, in path order (folders before their contents). */
  readonly upload: readonly LocalEntry[];
  /** Removals, deepest first, done before the upload. */
  readonly remove: readonly Removal[];
  readonly unchanged: number;
}

export interface PlanInput {
  readonly local: readonly LocalEntry[];
  /** The remote tree: as listed, or as the saved records say it is. */
  readonly remote: ReadonlyMap<string, RemoteView>;
  /** Content hashes of local files (needed where a remote file of the same size exists). */
  readonly localHashes: ReadonlyMap<string, string>;
  /** Content hashes of remote files known to be current. */
  readonly remoteHashes: ReadonlyMap<string, string>;
  /** The paths the last sync left on the remote side; only these are ever deleted. */
  readonly previouslySynced: Iterable<string>;
  /** Paths the local side excludes now (and their contents): never deleted remotely. */
  readonly isExcluded: (path: string) => boolean;
}

/** Local files whose content must be compared: a remote file of the same size is there. */
export function pathsToCompare(local: readonly LocalEntry[], remote: ReadonlyMap<string, RemoteView>): LocalEntry[] {
  return local.filter((entry) => {
    const other = remote.get(entry.path);
    return entry.type === 'file' && other?.type === 'file' && other.size === entry.size;
  });
}

/**
 * Decides what a sync does, by content: a file is sent unless the remote one has the same size,
 * hash and executable bit; a path whose type differs is removed first; a path synced before and
 * gone locally is deleted remotely — unless it is now excluded locally. Files the sync never sent
 * (a job's outputs) are left alone, and folders are removed only once empty.
 */
export function planSync(input: PlanInput): SyncPlan {
  const upload: LocalEntry[] = [];
  const remove: Removal[] = [];
  let unchanged = 0;
  const localPaths = new Set<string>();
  for (const entry of input.local) {
    if (!isSafeRelativePath(entry.path)) throw new Error(`Unsafe path in the workspace listing: ${JSON.stringify(entry.path)}`);
    localPaths.add(entry.path);
    const remote = input.remote.get(entry.path);
    if (!remote) {
      upload.push(entry);
      continue;
    }
    if (remote.type !== entry.type) {
      remove.push({ path: entry.path, kind: remote.type === 'dir' ? 'tree' : 'file' });
      upload.push(entry);
      continue;
    }
    if (isSame(entry, remote, input)) unchanged++;
    else upload.push(entry);
  }
  const deleted: Removal[] = [];
  for (const path of input.previouslySynced) {
    if (localPaths.has(path) || input.isExcluded(path) || !isSafeRelativePath(path)) continue;
    const remote = input.remote.get(path);
    if (!remote || isUnder(path, remove)) continue;
    deleted.push({ path, kind: remote.type === 'dir' ? 'dir' : 'file' });
  }
  // Deepest first, so a folder is emptied before its rmdir.
  deleted.sort((a, b) => depth(b.path) - depth(a.path) || (a.path < b.path ? -1 : 1));
  upload.sort((a, b) => comparePaths(a.path, b.path));
  return { upload, remove: [...remove, ...deleted], unchanged };
}

function isSame(entry: LocalEntry, remote: RemoteView, input: PlanInput): boolean {
  switch (entry.type) {
    case 'dir':
      return true;
    case 'symlink':
      return remote.linkTarget === entry.linkTarget;
    case 'file': {
      if (remote.size !== entry.size || normalizeMode('file', remote.mode) !== entry.mode) return false;
      const local = input.localHashes.get(entry.path);
      const other = input.remoteHashes.get(entry.path);
      return local !== undefined && local === other;
    }
  }
}

function isUnder(path: string, removals: readonly Removal[]): boolean {
  return removals.some((removal) => removal.kind === 'tree' && path.startsWith(`${removal.path}/`));
}

function depth(path: string): number {
  return path.split('/').length;
}

/** Whether a path or one of its folders is in the set. */
export function isWithin(path: string, folders: ReadonlySet<string>): boolean {
  if (folders.has(path)) return true;
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    if (folders.has(path.slice(0, slash))) return true;
  }
  return false;
}
