/** Asks the user for a private key's passphrase; undefined when they cancel. */
export interface PassphrasePrompt {
  askPassphrase(request: { readonly keyPath: string; readonly previousWasWrong: boolean }): Promise<string | undefined>;
}

/** Where remembered passphrases live (VS Code's SecretStorage in the extension). */
export interface PassphraseStore {
  get(keyPath: string): Promise<string | undefined>;
  set(keyPath: string, passphrase: string): Promise<void>;
  delete(keyPath: string): Promise<void>;
}

/** What the user is shown about a host key the known_hosts files do not hold. */
export interface UnknownHostKey {
  /** The name it would be recorded under: `host` or `[host]:port`. */
  readonly hostName: string;
  readonly label: string;
  readonly keyType: string;
  readonly fingerprint: string;
  /** Key types already known for this host, if any (the server offered another type). */
  readonly otherKnownTypes: readonly string[];
  /** The keys of those other types: type, fingerprint and `file:line` each. */
  readonly otherKnownKeys: readonly KnownKeySummary[];
  /**
   * Records the offered key, for a yes given later, outside this connection attempt (from a
   * notification). Nothing is changed if known_hosts meanwhile holds a key of its type for the host.
   */
  recordKey(): Promise<void>;
}

/** A recorded host key, as the user is shown it. */
export interface KnownKeySummary {
  readonly keyType: string;
  readonly fingerprint: string;
  /** `file:line`. */
  readonly recordedAt: string;
}

/** A host key different from the one recorded: possibly an attack, usually a recreated VM. */
export interface ChangedHostKey {
  readonly hostName: string;
  readonly label: string;
  readonly keyType: string;
  readonly fingerprint: string;
  readonly oldFingerprints: readonly string[];
  /** `file:line` of each recorded entry. */
  readonly recordedAt: readonly string[];
  /**
   * Does what the user may ask for later, outside this connection attempt (from a notification):
   * removes the recorded entries of this key type for the host and records the offered key instead.
   */
  replaceRecordedKey(): Promise<void>;
}

/** The user's say on host keys. Nothing is ever accepted without asking. */
export interface HostKeyPrompt {
  /** True to trust and record the key. */
  confirmUnknownKey(key: UnknownHostKey): Promise<boolean>;
  /**
   * Shown before refusing a changed key: true when the user explicitly asks to remove the old entry
   * (then the new key is treated as unknown and confirmUnknownKey asks about it).
   */
  offerRemoveChangedKey(key: ChangedHostKey): Promise<boolean>;
}
