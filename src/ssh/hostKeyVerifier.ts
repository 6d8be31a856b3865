import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ChangedHostKey, HostKeyPrompt, KnownKeySummary } from './credentials';
import { HostKeyChangedError, HostKeyRejectedError } from './errors';
import { sha256Fingerprint, type HostKey } from './hostKey';
import {
  checkHostKey,
  formatKnownHostsLine,
  knownHostsName,
  knownKeysFor,
  knownKeyTypes,
  parseKnownHosts,
  removeLines,
  type LocatedEntry,
} from './knownHosts';

/** Which known_hosts files a connection reads, and where it records a newly accepted key. */
export interface KnownHostsFiles {
  /** Read in order; missing files are fine. */
  readonly read: readonly string[];
  /** Accepted keys are appended here (created with its folder if missing). */
  readonly write: string;
  /** Write hashed names (HashKnownHosts). */
  readonly hash: boolean;
  /** StrictHostKeyChecking yes: refuse unknown keys instead of asking. */
  readonly refuseUnknown: boolean;
}

/** The host as known_hosts names it, plus a label for the user. */
export interface HostIdentity {
  readonly host: string;
  readonly port: number;
  readonly label: string;
}

/**
 * Decides whether to trust a server's host key, with OpenSSH's rules: a recorded key is trusted,
 * a revoked one never, a changed one is refused (unless the user explicitly removes the old entry
 * and then accepts the new key), an unknown one only after the user confirms its fingerprint.
 */
export class HostKeyVerifier {
  constructor(private readonly prompt: HostKeyPrompt) {}

  async verify(identity: HostIdentity, key: HostKey, files: KnownHostsFiles): Promise<void> {
    const { host, port, label } = identity;
    const name = knownHostsName(host, port);
    const fingerprint = sha256Fingerprint(key.blob);
    const entries = await readEntries(files.read);
    const status = checkHostKey(entries, host, port, key);
    switch (status.kind) {
      case 'known':
        return;
      case 'revoked':
        throw new HostKeyRejectedError(
          `The host key of ${label} (${name}, ${fingerprint}) is marked @revoked in ` +
            `${status.entry.file}:${status.entry.line}; refusing to connect.`,
        );
      case 'changed': {
        const changed: ChangedHostKey = {
          hostName: name,
          label,
          keyType: key.type,
          fingerprint,
          oldFingerprints: status.entries.map((entry) => sha256Fingerprint(entry.keyBlob)),
          recordedAt: status.entries.map((entry) => `${entry.file}:${entry.line}`),
          replaceRecordedKey: () => this.replaceRecordedKey(identity, key, files),
        };
        if (!(await this.prompt.offerRemoveChangedKey(changed))) throw changedKeyError(changed);
        await removeEntries(status.entries);
        break;
      }
      case 'unknown':
        if (files.refuseUnknown) {
          throw new HostKeyRejectedError(
            `The host key of ${label} (${name}, ${fingerprint}) is not known and StrictHostKeyChecking is set; refusing to connect.`,
          );
        }
        break;
    }
    const otherKnownTypes = status.kind === 'unknown' ? status.otherTypes : [];
    const otherKnownKeys = status.kind === 'unknown' ? knownKeysFor(entries, host, port).map(summarize) : [];
    const accepted = await this.prompt.confirmUnknownKey({
      hostName: name,
      label,
      keyType: key.type,
      fingerprint,
      otherKnownTypes,
      otherKnownKeys,
      recordKey: () => this.recordKey(identity, key, files),
    });
    if (!accepted) throw new HostKeyRejectedError(`The host key of ${label} (${name}, ${fingerprint}) was not accepted.`);
    await appendLine(files.write, formatKnownHostsLine(host, port, key, files.hash));
  }

  /**
   * The user's "remove the old entry" given later, for a changed key they were shown: the entries
   * of its type are removed and the offered key recorded, unless the files meanwhile know it.
   */
  private async replaceRecordedKey(identity: HostIdentity, key: HostKey, files: KnownHostsFiles): Promise<void> {
    const status = checkHostKey(await readEntries(files.read), identity.host, identity.port, key);
    if (status.kind === 'changed') await removeEntries(status.entries);
    if (status.kind === 'changed' || status.kind === 'unknown') {
      await appendLine(files.write, formatKnownHostsLine(identity.host, identity.port, key, files.hash));
    }
  }

  /** The user's yes given later, for an unknown key they were shown. */
  private async recordKey(identity: HostIdentity, key: HostKey, files: KnownHostsFiles): Promise<void> {
    const status = checkHostKey(await readEntries(files.read), identity.host, identity.port, key);
    if (status.kind === 'unknown') await appendLine(files.write, formatKnownHostsLine(identity.host, identity.port, key, files.hash));
  }

  /** Key types already recorded for the host: ask the server for those first, as OpenSSH does. */
  async preferredKeyTypes(identity: HostIdentity, files: KnownHostsFiles): Promise<string[]> {
    return knownKeyTypes(await readEntries(files.read), identity.host, identity.port);
  }
}

function changedKeyError(key: ChangedHostKey): HostKeyChangedError {
  return new HostKeyChangedError(
    `WARNING: the host key of ${key.label} (${key.hostName}) has changed. ` +
      `Recorded: ${key.oldFingerprints.join(', ')} (${key.recordedAt.join(', ')}); now offered: ${key.fingerprint} (${key.keyType}). ` +
      'Someone could be intercepting the connection, or the VM was recreated and reuses the address. ' +
      `If you expected this, remove the old entry (ssh-keygen -R '${key.hostName}') and connect again to check the new key.`,
  );
}

function summarize(entry: LocatedEntry): KnownKeySummary {
  return { keyType: entry.keyType, fingerprint: sha256Fingerprint(entry.keyBlob), recordedAt: `${entry.file}:${entry.line}` };
}

async function readEntries(files: readonly string[]): Promise<LocatedEntry[]> {
  const perFile = await Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(file, 'utf8').catch(() => '');
      return parseKnownHosts(text).map((entry) => ({ ...entry, file }));
    }),
  );
  return perFile.flat();
}

/**
 * Removes the given entries, keeping a copy of each file as FILE.old (as ssh-keygen -R does). A
 * known_hosts that is a symbolic link (to a dotfiles repository, say) stays one: the new text
 * replaces the file it points to, with that file's permissions.
 */
async function removeEntries(entries: readonly LocatedEntry[]): Promise<void> {
  const byFile = new Map<string, Set<number>>();
  for (const entry of entries) {
    const lines = byFile.get(entry.file) ?? new Set<number>();
    lines.add(entry.line);
    byFile.set(entry.file, lines);
  }
  for (const [file, lines] of byFile) {
    const target = await fs.realpath(file);
    const text = await fs.readFile(target, 'utf8');
    const mode = (await fs.stat(target)).mode & 0o777;
    await fs.writeFile(`${target}.old`, text, { mode: 0o600 });
    const temporary = `${target}.${process.pid}.tmp`;
    await fs.writeFile(temporary, removeLines(text, lines), { mode });
    await fs.chmod(temporary, mode);
    await fs.rename(temporary, target);
  }
}

async function appendLine(file: string, line: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const existing = await fs.readFile(file, 'utf8').catch(() => '');
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await fs.appendFile(file, `${separator}${line}\n`, { mode: 0o600 });
}
