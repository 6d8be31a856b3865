import type { RemoteEntry } from './syncEntry';
import { unchangedSince, type RemoteRecord } from './syncState';

/**
 * Why the saved records no longer describe the remote tree, or undefined when they still do.
 * `changed`: every remote path whose ctime is after the records' checkpoint (`.` for the synced
 * folder itself); `folderEntries`: the entries of each changed folder. Paths the sync never sent
 * (a job's outputs, `__pycache__`) may come and go; a recorded path must be there, with the same
 * type and, for files and links, the same ctime (so the same content, size, mode and mtime), or
 * only another link count (unchangedSince).
 */
export function findRemoteDrift(
  records: ReadonlyMap<string, RemoteRecord>,
  changed: ReadonlyMap<string, RemoteEntry>,
  folderEntries: ReadonlyMap<string, RemoteEntry>,
): string | undefined {
  for (const listing of [changed, folderEntries]) {
    for (const [path, entry] of listing) {
      const record = records.get(path);
      if (!record) continue;
      if (record.type !== entry.type) return `${path} is now a ${entry.type} on the remote side`;
      if (record.type !== 'dir' && !unchangedSince(record, entry)) return `${path} changed on the remote side`;
    }
  }
  const changedFolders = new Set<string>();
  for (const [path, entry] of changed) if (entry.type === 'dir') changedFolders.add(path);
  if (changedFolders.size === 0) return undefined;
  for (const path of records.keys()) {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '.' : path.slice(0, slash);
    if (changedFolders.has(parent) && !folderEntries.has(path)) return `${path} was removed on the remote side`;
  }
  return undefined;
}
