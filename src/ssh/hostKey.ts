import { createHash } from 'node:crypto';

/** A host's public key as the server sent it: the SSH wire-format blob and the type it names. */
export interface HostKey {
  /** e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  readonly type: string;
  readonly blob: Buffer;
}

/** Reads the key type from an SSH public key blob (its first length-prefixed string). */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  if (blob.length < 4) throw new Error('Malformed SSH public key');
  const length = blob.readUInt32BE(0);
  if (length === 0 || 4 + length > blob.length) throw new Error('Malformed SSH public key');
  return { type: blob.subarray(4, 4 + length).toString('latin1'), blob };
}

/** `SHA256:…` exactly as `ssh-keygen -lf` and OpenSSH's prompts show it. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
