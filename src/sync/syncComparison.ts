import { cachedHashOf, hashFiles, type CachedHash } from './contentHash';
import type { LocalScan } from './localScan';
import { parseSha256sums } from './remoteListing';
import type { RemoteRunner } from './remoteRunner';
import { hashRemoteFiles } from './remoteScripts';
import type { RemoteTree } from './remoteTree';
import type { LocalEntry } from './syncEntry';
import { isWithin, pathsToCompare, planSync, type SyncPlan } from './syncPlan';
import { recordMatches, type RemoteRecord } from './syncState';

/** What a comparison works with: the scanned local side with its hash cache, and the remote folder. */
export interface ComparisonInput {
  readonly runner: RemoteRunner;
  readonly remoteDir: string;
  readonly root: string;
  readonly scan: LocalScan;
  /** Updated with the local files hashed. */
  readonly hashCache: Map<string, CachedHash>;
  readonly signal: AbortSignal | undefined;
}

export interface Comparison {
  readonly plan: SyncPlan;
  /** Content hashes of the remote files compared, known to be current. */
  readonly remoteHashes: ReadonlyMap<string, string>;
  /** Whether local files were hashed (so the hash cache changed). */
  readonly hashedLocally: boolean;
}

/**
 * The plan against a remote tree: files of equal size on both sides are compared by hash — the
 * local one from the cache while its stat is unchanged, the remote one from the records while they
 * describe the file, else hashed there.
 */
export async function planAgainst(
  input: ComparisonInput,
  remote: RemoteTree,
  records: ReadonlyMap<string, RemoteRecord> | undefined,
): Promise<Comparison> {
  const { runner, remoteDir, root, scan, hashCache, signal } = input;
  const localHashes = new Map<string, string>();
  const remoteHashes = new Map<string, string>();
  const unhashedLocal: LocalEntry[] = [];
  const unhashedRemote: string[] = [];
  for (const entry of pathsToCompare(scan.entries, remote.entries)) {
    const cached = cachedHashOf(entry, hashCache);
    if (cached) localHashes.set(entry.path, cached);
    else unhashedLocal.push(entry);
    const record = records?.get(entry.path);
    if (record?.hash && (remote.fromRecords || recordMatches(record, remote.entries.get(entry.path))))
      remoteHashes.set(entry.path, record.hash);
    else unhashedRemote.push(entry.path);
  }
  const [freshLocal, freshRemote] = await Promise.all([
    hashFiles(root, unhashedLocal, hashCache),
    hashRemote(runner, remoteDir, unhashedRemote, signal),
  ]);
  for (const [file, hash] of freshLocal) localHashes.set(file, hash);
  for (const [file, hash] of freshRemote) remoteHashes.set(file, hash);
  const excludedFolders = new Set(scan.excluded.map((excluded) => excluded.path));
  const plan = planSync({
    local: scan.entries,
    remote: remote.entries,
    localHashes,
    remoteHashes,
    previouslySynced: records?.keys() ?? [],
    isExcluded: (file) => isWithin(file, excludedFolders),
  });
  return { plan, remoteHashes, hashedLocally: freshLocal.size > 0 };
}

async function hashRemote(
  runner: RemoteRunner,
  remoteDir: string,
  files: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  if (files.length === 0) return new Map();
  const stdout: Buffer[] = [];
  // A file that vanished meanwhile makes sha256sum exit 1; the others are still hashed.
  await runner.exec(hashRemoteFiles(remoteDir), {
    stdin: Buffer.from(files.map((file) => `${file}\0`).join('')),
    signal,
    onStdout: (chunk) => stdout.push(chunk),
  });
  return parseSha256sums(Buffer.concat(stdout));
}
