import { createHmac, randomBytes } from 'node:crypto';
import { type HostKey } from './hostKey';
import { matchesPatternList } from './hostPattern';

export type KnownHostsMarker = 'revoked' | 'cert-authority';

/** One key line of an OpenSSH known_hosts file. */
export interface KnownHostsEntry {
  /** 1-based line number in its file. */
  readonly line: number;
  readonly marker: KnownHostsMarker | undefined;
  /** The host field: a comma-separated pattern list, or one hashed name `|1|salt|hash`. */
  readonly hosts: string;
  readonly keyType: string;
  readonly keyBlob: Buffer;
}

/**
 * Parses known_hosts text as OpenSSH does: blank lines and `#` comments skipped, an optional
 * `@revoked` / `@cert-authority` marker, then hosts, key type, base64 key and an ignored comment.
 * Lines that do not parse are skipped, as sshd and ssh skip them.
 */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/[ \t]+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostsMarker | undefined;
    if (fields[0].startsWith('@')) {
      const name = fields.shift()!.slice(1);
      if (name !== 'revoked' && name !== 'cert-authority') return;
      marker = name;
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+=*$/.test(keyBase64)) return;
    entries.push({ line: index + 1, marker, hosts, keyType, keyBlob: Buffer.from(keyBase64, 'base64') });
  });
  return entries;
}

/**
 * The name a host is recorded under: `host` on port 22, `[host]:port` otherwise, lower-cased as
 * OpenSSH does before it matches or hashes a name (host names are case-insensitive).
 */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** Whether an entry's host field names this host (hashed or as a pattern list). */
export function entryMatchesHost(entry: Pick<KnownHostsEntry, 'hosts'>, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hosts.startsWith('|1|')) {
    const [, , salt, hash] = entry.hosts.split('|');
    if (!salt || !hash) return false;
    return hashHostName(name, Buffer.from(salt, 'base64')) === entry.hosts;
  }
  return matchesPatternList(name, entry.hosts.split(','));
}

/** OpenSSH's hashed name (`HashKnownHosts yes`): `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${hash}`;
}

/** A known_hosts line for a newly accepted key, as OpenSSH writes one. */
export function formatKnownHostsLine(host: string, port: number, key: HostKey, hashed: boolean): string {
  const name = knownHostsName(host, port);
  return `${hashed ? hashHostName(name) : name} ${key.type} ${key.blob.toString('base64')}`;
}

/** A key line together with the file it came from. */
export interface LocatedEntry extends KnownHostsEntry {
  readonly file: string;
}

export type HostKeyStatus =
  /** A matching line holds this very key. */
  | { readonly kind: 'known'; readonly entry: LocatedEntry }
  /** The key is marked `@revoked`: never to be accepted, whatever else the files say. */
  | { readonly kind: 'revoked'; readonly entry: LocatedEntry }
  /** Lines of this key type exist for the host, none with this key: possible impersonation. */
  | { readonly kind: 'changed'; readonly entries: readonly LocatedEntry[] }
  /** Nothing of this key type for the host; `otherTypes` lists types that are known for it. */
  | { readonly kind: 'unknown'; readonly otherTypes: readonly string[] };

/** Checks a server's key against known_hosts entries (OpenSSH's check_host_key semantics). */
export function checkHostKey(entries: readonly LocatedEntry[], host: string, port: number, key: HostKey): HostKeyStatus {
  const forHost = entries.filter((entry) => entry.marker !== 'cert-authority' && entryMatchesHost(entry, host, port));
  const revoked = entries.find((entry) => entry.marker === 'revoked' && entry.keyBlob.equals(key.blob));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === undefined);
  const same = plain.find((entry) => entry.keyBlob.equals(key.blob));
  if (same) return { kind: 'known', entry: same };
  const sameType = plain.filter((entry) => entry.keyType === key.type);
  if (sameType.length > 0) return { kind: 'changed', entries: sameType };
  return { kind: 'unknown', otherTypes: [...new Set(plain.map((entry) => entry.keyType))] };
}

/** The plain (unmarked) key lines recorded for a host. */
export function knownKeysFor(entries: readonly LocatedEntry[], host: string, port: number): LocatedEntry[] {
  return entries.filter((entry) => entry.marker === undefined && entryMatchesHost(entry, host, port));
}

/** Key types already known for a host, to ask the server for those first (as OpenSSH orders them). */
export function knownKeyTypes(entries: readonly LocatedEntry[], host: string, port: number): string[] {
  return [...new Set(knownKeysFor(entries, host, port).map((entry) => entry.keyType))];
}

/**
 * known_hosts text without the given lines (1-based), everything else kept byte for byte. Used to
 * remove a changed key's old entry when the user explicitly asks for it.
 */
export function removeLines(text: string, lines: ReadonlySet<number>): string {
  return text
    .split('\n')
    .filter((_, index) => !lines.has(index + 1))
    .join('\n');
}
