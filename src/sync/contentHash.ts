import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LocalEntry } from './syncEntry';

/** A file's content hash, remembered with the stat fields it was computed for. */
export interface CachedHash {
  readonly statKey: string;
  readonly hash: string;
  readonly hashedAtMs: number;
}

// A file changed within the timestamp granularity after being hashed could keep its stat fields
// (git's "racy clean" problem): a cached hash counts only when the file was older than this when hashed.
const RACY_WINDOW_MS = 2000;

/** The cached hash of an entry if its stat fields are unchanged and it was not racily hashed. */
export function cachedHashOf(entry: LocalEntry, cache: ReadonlyMap<string, CachedHash>): string | undefined {
  const cached = cache.get(entry.path);
  if (!cached || cached.statKey !== entry.statKey) return undefined;
  return cached.hashedAtMs - entry.mtimeMs > RACY_WINDOW_MS ? cached.hash : undefined;
}

/** SHA-256 of a file's content, hex. */
export async function hashFile(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

export function hashBuffer(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hashes files, a few at a time, recording each in the cache. */
export async function hashFiles(
  root: string,
  entries: readonly LocalEntry[],
  cache: Map<string, CachedHash>,
  concurrency = 8,
): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const entry = entries[next++];
      const hashedAtMs = Date.now();
      const hash = await hashFile(path.join(root, entry.path));
      hashes.set(entry.path, hash);
      cache.set(entry.path, { statKey: entry.statKey, hash, hashedAtMs });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  return hashes;
}
