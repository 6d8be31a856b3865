/**
 * An SSH host key made on the client for a VM that does not exist yet: its private half goes to the
 * VM (through cloud-init), its public half into known_hosts, so the first connection is verified.
 */
import { utils } from 'ssh2';

export interface HostKeyPair {
  /** OpenSSH private key format. */
  readonly privateKey: string;
  /** "ssh-ed25519 AAAA… comment". */
  readonly publicKey: string;
}

export function generateHostKeyPair(comment: string): HostKeyPair {
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  return { privateKey: pair.private, publicKey: pair.public };
}
