import type { LocalEntry, RemoteEntry } from './syncEntry';
import type { RemoteTree } from './remoteTree';
import type { RemoteRecord } from './syncState';
import type { Transfer } from './syncTransfer';

/**
 * What the remote side holds after a sync, per local path: the uploads as the transfer saw them
 * written (a file only when its sent bytes were hashed), every other path as the remote tree said.
 */
export function recordsAfterSync(
  local: readonly LocalEntry[],
  uploaded: ReadonlySet<string>,
  transfer: Transfer | undefined,
  remote: RemoteTree,
  remoteHashes: ReadonlyMap<string, string>,
): Map<string, RemoteRecord> {
  const records = new Map<string, RemoteRecord>();
  for (const entry of local) {
    const record = uploaded.has(entry.path) ? uploadedRecord(entry, transfer) : recordBefore(remote, remoteHashes, entry.path);
    if (record) records.set(entry.path, record);
  }
  return records;
}

function uploadedRecord(entry: LocalEntry, transfer: Transfer | undefined): RemoteRecord | undefined {
  const after = transfer?.written.get(entry.path);
  const file = transfer?.sent.get(entry.path);
  if (!after || after.type !== entry.type || (entry.type === 'file' && !file)) return undefined;
  return toRecord(after, file?.hash);
}

/** A path the sync left alone, as the remote tree described it (with its hash when known). */
function recordBefore(remote: RemoteTree, remoteHashes: ReadonlyMap<string, string>, file: string): RemoteRecord | undefined {
  const hash = remoteHashes.get(file);
  if (!remote.fromRecords) return toRecord(remote.entries.get(file), hash);
  const record = remote.entries.get(file);
  return record && hash && record.hash !== hash ? { ...record, hash } : record;
}

function toRecord(entry: RemoteEntry | undefined, hash: string | undefined): RemoteRecord | undefined {
  if (!entry || entry.type === 'other') return undefined;
  const { type, size, mtime, mode, ctime, inode, links } = entry;
  return {
    type,
    size,
    mtime,
    mode,
    ctime,
    inode,
    links,
    ...(type === 'file' && hash ? { hash } : {}),
    ...(type === 'symlink' ? { linkTarget: entry.linkTarget } : {}),
  };
}

export function recordsEqual(before: ReadonlyMap<string, RemoteRecord> | undefined, after: ReadonlyMap<string, RemoteRecord>): boolean {
  if (!before || before.size !== after.size) return false;
  for (const [file, record] of after) {
    const old = before.get(file);
    if (
      !old ||
      old.type !== record.type ||
      old.size !== record.size ||
      old.mtime !== record.mtime ||
      old.mode !== record.mode ||
      old.hash !== record.hash ||
      old.ctime !== record.ctime ||
      old.inode !== record.inode ||
      old.links !== record.links
    )
      return false;
  }
  return true;
}
