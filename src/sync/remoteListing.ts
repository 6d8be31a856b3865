import { LISTING_FIELDS } from './remoteScripts';
import type { EntryType, RemoteEntry } from './syncEntry';

/** Parses the NUL-separated output of listRemoteTree / extractTar. */
export function parseRemoteListing(output: Buffer): Map<string, RemoteEntry> {
  const fields = output.toString('utf8').split('\0');
  const entries = new Map<string, RemoteEntry>();
  for (let i = 0; i + LISTING_FIELDS <= fields.length; i += LISTING_FIELDS) {
    const [kind, size, mtime, mode, listed, linkTarget] = fields.slice(i, i + LISTING_FIELDS) as [string, string, string, string, string, string];
    const path = listed.startsWith('./') ? listed.slice(2) : listed;
    entries.set(path, { path, type: typeOf(kind), size: Number(size), mtime, mode: parseInt(mode, 8), linkTarget });
  }
  return entries;
}

function typeOf(kind: string): EntryType | 'other' {
  return kind === 'f' ? 'file' : kind === 'd' ? 'dir' : kind === 'l' ? 'symlink' : 'other';
}

/** Parses `sha256sum -z` output: `<64 hex><space><space or *><path>\0`. */
export function parseSha256sums(output: Buffer): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const record of output.toString('utf8').split('\0')) {
    const match = /^([0-9a-f]{64}) [ *]([\s\S]+)$/.exec(record);
    if (match) hashes.set(match[2]!, match[1]!);
  }
  return hashes;
}
