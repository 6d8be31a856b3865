import { LISTING_FIELDS } from './remoteScripts';
import type { EntryType, RemoteEntry } from './syncEntry';

/** A part of a remote script's output: the entries listed after a section record. */
export interface RemoteSection {
  /** The remote clock when the section started (`seconds.nanoseconds`), or '' when not stamped. */
  readonly stamp: string;
  readonly entries: Map<string, RemoteEntry>;
}

/**
 * Parses the NUL-separated records of the sync's remote scripts: entries as LISTING_FORMAT prints
 * them, split into sections at each `=` record (entries before the first one form a section of their own).
 */
export function parseRemoteSections(output: Buffer): RemoteSection[] {
  const fields = output.toString('utf8').split('\0');
  let current: RemoteSection = { stamp: '', entries: new Map() };
  const sections = [current];
  for (let i = 0; i + LISTING_FIELDS <= fields.length; i += LISTING_FIELDS) {
    const [kind, size, mtime, mode, listed, linkTarget, ctime, inode, links] = fields.slice(i, i + LISTING_FIELDS);
    if (kind === '=') {
      current = { stamp: size, entries: new Map() };
      sections.push(current);
      continue;
    }
    const path = listed.startsWith('./') ? listed.slice(2) : listed;
    current.entries.set(path, {
      path,
      type: typeOf(kind),
      size: Number(size),
      mtime,
      mode: parseInt(mode, 8),
      linkTarget,
      ctime,
      inode,
      links: Number(links),
    });
  }
  return sections.length > 1 && sections[0].entries.size === 0 ? sections.slice(1) : sections;
}

/** All entries of a listing, whatever its sections. */
export function parseRemoteListing(output: Buffer): Map<string, RemoteEntry> {
  const sections = parseRemoteSections(output);
  return sections.length === 1 ? sections[0].entries : new Map(sections.flatMap((section) => [...section.entries]));
}

function typeOf(kind: string): EntryType | 'other' {
  return kind === 'f' ? 'file' : kind === 'd' ? 'dir' : kind === 'l' ? 'symlink' : 'other';
}

/** Parses `sha256sum -z` output: `<64 hex><space><space or *><path>\0`. */
export function parseSha256sums(output: Buffer): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const record of output.toString('utf8').split('\0')) {
    const match = /^([0-9a-f]{64}) [ *]([\s\S]+)$/.exec(record);
    if (match) hashes.set(match[2], match[1]);
  }
  return hashes;
}
