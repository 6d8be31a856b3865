import type { ParsedKey } from 'ssh2';
import type { PassphrasePrompt, PassphraseStore } from './credentials';
import { isPassphraseError, parsePrivateKey } from './privateKeyFile';

const MAX_PROMPTS = 3;

export interface KeyUnlockerOptions {
  readonly prompt?: PassphrasePrompt;
  readonly store?: PassphraseStore;
  /** Read at each unlock, so a settings change applies at once. */
  readonly rememberPassphrases: () => boolean;
}

/**
 * Turns a private key file into a usable key: as is when unencrypted; otherwise with a remembered
 * passphrase (if the user opted in) or by asking, up to three times as OpenSSH does. Unlocked keys
 * stay in memory for the pool's lifetime, so a reconnect does not ask again.
 */
export class KeyUnlocker {
  private readonly unlocked = new Map<string, ParsedKey>();

  constructor(private readonly options: KeyUnlockerOptions) {}

  /** The key, or undefined when it cannot be unlocked (no prompt, or the user cancelled). */
  async unlock(keyPath: string, data: Buffer): Promise<ParsedKey | undefined> {
    const cached = this.unlocked.get(keyPath);
    if (cached) return cached;
    const plain = parsePrivateKey(data);
    if (!(plain instanceof Error)) return this.keep(keyPath, plain);
    if (!isPassphraseError(plain)) throw new Error(`Cannot read the private key ${keyPath}: ${plain.message}`);

    const { store, prompt } = this.options;
    const remembered = this.options.rememberPassphrases() ? await store?.get(keyPath) : undefined;
    if (remembered !== undefined) {
      const key = parsePrivateKey(data, remembered);
      if (!(key instanceof Error)) return this.keep(keyPath, key);
      await store?.delete(keyPath);
    }
    if (!prompt) return undefined;
    let previousWasWrong = remembered !== undefined;
    for (let attempt = 0; attempt < MAX_PROMPTS; attempt++) {
      const passphrase = await prompt.askPassphrase({ keyPath, previousWasWrong });
      if (passphrase === undefined) return undefined;
      const key = parsePrivateKey(data, passphrase);
      if (!(key instanceof Error)) {
        if (this.options.rememberPassphrases()) await store?.set(keyPath, passphrase);
        return this.keep(keyPath, key);
      }
      if (!isPassphraseError(key)) throw new Error(`Cannot read the private key ${keyPath}: ${key.message}`);
      previousWasWrong = true;
    }
    return undefined;
  }

  private keep(keyPath: string, key: ParsedKey): ParsedKey {
    this.unlocked.set(keyPath, key);
    return key;
  }
}
