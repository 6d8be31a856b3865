import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { runCommand } from './run-command';

export interface KeyPair {
  privateKeyPath: string;
  /** OpenSSH public key line: `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
}

/** Creates an ed25519 key pair without passphrase (`PATH` and `PATH.pub`), or reuses the one there. */
export async function ensureEd25519KeyPair(privateKeyPath: string, comment: string): Promise<KeyPair> {
  const publicKeyPath = `${privateKeyPath}.pub`;
  try {
    await fs.access(privateKeyPath);
  } catch {
    await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privateKeyPath]);
  }
  const publicKey = (await fs.readFile(publicKeyPath, 'utf8')).trim();
  return { privateKeyPath, publicKey };
}

/** `SHA256:…` as `ssh-keygen -lf` prints it (unpadded base64 of the key blob's SHA-256). */
export function sha256Fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** known_hosts line for a host key; OpenSSH writes `[address]:port` only for ports other than 22. */
export function knownHostsLine(address: string, port: number, publicKey: string): string {
  const [type, blob] = publicKey.split(/\s+/);
  const hostPattern = port === 22 ? address : `[${address}]:${port}`;
  return `${hostPattern} ${type} ${blob}`;
}
