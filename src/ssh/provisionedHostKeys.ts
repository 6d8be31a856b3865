/**
 * known_hosts lines for host keys the extension made itself (for a VM it created): written before
 * the VM first boots, so that the first connection is verified with no prompt, and removed when
 * the VM is deleted. Each line carries a comment naming the VM, so only its own lines are removed.
 */
import * as fs from 'fs/promises';
import * as path from 'path';
import { knownHostsName } from './knownHosts';

const COMMENT_PREFIX = 'azure-pytorch-vm:';

function commentFor(vmId: string): string {
  return `${COMMENT_PREFIX}${vmId.toLowerCase()}`;
}

/** "<host> ssh-ed25519 AAAA… azure-pytorch-vm:<vm id>". */
export function provisionedHostKeyLine(host: string, port: number, publicKey: string, vmId: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob) throw new Error('Not an OpenSSH public key line');
  return `${knownHostsName(host, port)} ${type} ${blob} ${commentFor(vmId)}`;
}

async function rewrite(file: string, keep: (line: string) => boolean, extra: string[] = []): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const lines = text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
  const next = [...lines.filter(keep), ...extra];
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, next.length > 0 ? `${next.join('\n')}\n` : '', { mode: 0o600 });
  await fs.rename(temporary, file);
}

function belongsTo(line: string, vmId: string): boolean {
  return line.trim().split(/\s+/).pop() === commentFor(vmId);
}

/** Records the VM's key, replacing any line recorded earlier for the same VM. */
export async function recordProvisionedHostKey(file: string, host: string, port: number, publicKey: string, vmId: string): Promise<void> {
  const line = provisionedHostKeyLine(host, port, publicKey, vmId);
  await rewrite(file, (existing) => !belongsTo(existing, vmId), [line]);
}

/** Removes the lines recorded for the VM; other lines stay as they were. */
export async function removeProvisionedHostKey(file: string, vmId: string): Promise<void> {
  await rewrite(file, (existing) => !belongsTo(existing, vmId));
}
