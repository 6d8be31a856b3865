import { utils, type ParsedKey } from 'ssh2';

/** Whether ssh2 refused a key only for lack of (or a wrong) passphrase. */
export function isPassphraseError(error: Error): boolean {
  return /passphrase|encrypted|bad decrypt|integrity check/i.test(error.message);
}

/** Parses a private key; an Error when it is encrypted and no (or a wrong) passphrase is given. */
export function parsePrivateKey(data: Buffer, passphrase?: string): ParsedKey | Error {
  const key = firstKey(utils.parseKey(data, passphrase));
  if (key === undefined) return new Error('No key found');
  if (key instanceof Error) return key;
  if (!key.isPrivateKey()) return new Error('Not a private key');
  return key;
}

/** ssh2 parses a file of several keys to an array, which its types leave out. */
function firstKey(parsed: ParsedKey | Error | (ParsedKey | Error)[]): ParsedKey | Error | undefined {
  return Array.isArray(parsed) ? parsed.at(0) : parsed;
}

/**
 * The public key blob of an OpenSSH-format private key (`openssh-key-v1`), read without decrypting
 * it: the format keeps public keys in the clear, which is how OpenSSH offers an encrypted key to the
 * server and asks for the passphrase only once the server would accept it.
 */
export function publicBlobOfOpensshKey(data: Buffer): Buffer | undefined {
  const text = data.toString('latin1');
  const match = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!match) return undefined;
  const raw = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (raw.length < magic.length || !raw.subarray(0, magic.length).equals(magic)) return undefined;
  let offset = magic.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > raw.length) return undefined;
    const length = raw.readUInt32BE(offset);
    offset += 4;
    if (offset + length > raw.length) return undefined;
    const value = raw.subarray(offset, offset + length);
    offset += length;
    return value;
  };
  readString(); // cipher name
  readString(); // KDF name
  readString(); // KDF options
  if (offset + 4 > raw.length) return undefined;
  const count = raw.readUInt32BE(offset);
  offset += 4;
  if (count < 1) return undefined;
  return readString();
}

/** The public key blob from a `.pub` line (`type base64 comment`). */
export function publicBlobOfPubFile(text: string): Buffer | undefined {
  const base64 = text.trim().split(/\s+/)[1];
  return base64 && /^[A-Za-z0-9+/]+=*$/.test(base64) ? Buffer.from(base64, 'base64') : undefined;
}
