/**
 * The user's SSH public keys for a new VM: `~/.ssh/id_*.pub`, ed25519 first, and a new ed25519
 * key pair written to `~/.ssh` when the user has none (or wants one).
 */
import * as fs from 'fs/promises';
import * as path from 'path';
import { utils } from 'ssh2';

export interface LocalPublicKey {
  readonly file: string;
  /** The key line: "ssh-ed25519 AAAA… comment". */
  readonly line: string;
}

const KEY_LINE = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+=*( .*)?$/;

/** Reads one public key file; throws a message saying what is wrong with it. */
export async function readPublicKey(file: string): Promise<LocalPublicKey> {
  const line = (await fs.readFile(file, 'utf8')).trim().split('\n')[0]?.trim() ?? '';
  if (!KEY_LINE.test(line)) throw new Error(`${file} is not an OpenSSH public key (expected a line like "ssh-ed25519 AAAA…").`);
  return { file, line };
}

/** `id_*.pub` in the folder, ed25519 first; unreadable files are left out. */
export async function findPublicKeys(sshDir: string): Promise<LocalPublicKey[]> {
  const names = await fs.readdir(sshDir).catch(() => [] as string[]);
  const files = names
    .filter((n) => /^id_.*\.pub$/.test(n))
    .sort((a, b) => Number(b.includes('ed25519')) - Number(a.includes('ed25519')) || a.localeCompare(b));
  const keys = await Promise.all(files.map((n) => readPublicKey(path.join(sshDir, n)).catch(() => undefined)));
  return keys.filter((k): k is LocalPublicKey => k !== undefined);
}

/** Writes a new ed25519 key pair as `<sshDir>/<name>` and `.pub` (never over an existing file). */
export async function createKeyPair(sshDir: string, name: string, comment: string): Promise<LocalPublicKey> {
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  await fs.mkdir(sshDir, { recursive: true, mode: 0o700 });
  const file = path.join(sshDir, name);
  await fs.writeFile(file, pair.private, { mode: 0o600, flag: 'wx' });
  await fs.writeFile(`${file}.pub`, `${pair.public}\n`, { mode: 0o644, flag: 'wx' });
  return { file: `${file}.pub`, line: pair.public };
}
