import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import type { HostKeyPrompt, PassphrasePrompt, PassphraseStore } from './credentials';
import { SshError } from './errors';
import { HostKeyVerifier, type KnownHostsFiles } from './hostKeyVerifier';
import { KeyUnlocker } from './keyUnlocker';
import { SshConnection, type ExecOptions, type ExitStatus, type RemoteProcess, type SpawnOptions, type TextResult } from './sshConnection';
import { readSshConfigFile } from './sshConfigFile';
import { endpointKey, resolveEndpoint, type LocalEnvironment, type SshEndpoint } from './sshEndpoint';
import type { SshTarget } from './sshTarget';

/** The SSH settings, read whenever a connection is opened. */
export interface SshSettings {
  /** A key file tried after ssh-agent and ssh_config's keys. */
  readonly identityFile?: string;
  /** Where accepted host keys are recorded. */
  readonly knownHostsFile: 'user' | 'extension';
  readonly rememberPassphrases: boolean;
}

export interface SshConnectionPoolOptions {
  readonly hostKeyPrompt: HostKeyPrompt;
  readonly passphrasePrompt?: PassphrasePrompt;
  readonly passphraseStore?: PassphraseStore;
  readonly settings: () => SshSettings;
  /** The extension's own known_hosts (always read; written when the setting says `extension`). */
  readonly extensionKnownHostsFile: string;
  readonly log: Logger;
  /** Default ~/.ssh/config. */
  readonly sshConfigFile?: string;
  /** Default: this process's user, home and SSH_AUTH_SOCK. */
  readonly local?: LocalEnvironment;
  /** Default 3000 ms × 3: a dead link is noticed within about 10 s. */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  readonly readyTimeoutMs?: number;
  /** Retries of a failed connection attempt on transient errors, with doubling delays. */
  readonly reconnect?: { readonly retries: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
}

/** What a pool and its views (withHostKeyPrompt) share. */
export interface SharedPoolState {
  readonly connections: Map<string, Promise<SshConnection>>;
  readonly unlocker: KeyUnlocker;
  disposed: boolean;
}

/**
 * One SSH connection per host, shared by every feature. A connection that dropped is replaced on
 * next use; opening one retries transient failures with backoff; dispose closes them all.
 */
export class SshConnectionPool {
  private readonly hostKeys: HostKeyVerifier;
  private readonly state: SharedPoolState;

  constructor(
    private readonly options: SshConnectionPoolOptions,
    shared?: SharedPoolState,
  ) {
    this.hostKeys = new HostKeyVerifier(options.hostKeyPrompt);
    this.state = shared ?? {
      connections: new Map(),
      unlocker: new KeyUnlocker({
        prompt: options.passphrasePrompt,
        store: options.passphraseStore,
        rememberPassphrases: () => options.settings().rememberPassphrases,
      }),
      disposed: false,
    };
  }

  /**
   * This pool with another host key prompt for the connections it opens: the connections
   * themselves are shared (one per host still), so a reader that must never show a dialog uses the
   * connection the user opened, and the user's next command uses one the reader opened. Disposing
   * either closes them all.
   */
  withHostKeyPrompt(hostKeyPrompt: HostKeyPrompt): SshConnectionPool {
    return new SshConnectionPool({ ...this.options, hostKeyPrompt }, this.state);
  }

  /** The target with ~/.ssh/config applied (HostName, User, Port, IdentityFile, ProxyJump, …). */
  resolve(target: SshTarget): SshEndpoint {
    const local = this.local();
    const config = readSshConfigFile(this.options.sshConfigFile ?? path.join(local.home, '.ssh', 'config'), local.home);
    return resolveEndpoint(target, { config, local, extraIdentityFile: this.options.settings().identityFile || undefined });
  }

  /** An open connection to the target: the pooled one, or a new one if there is none or it dropped. */
  async connection(target: SshTarget): Promise<SshConnection> {
    if (this.state.disposed) throw new SshError('The SSH connection pool is closed');
    const endpoint = this.resolve(target);
    const key = endpointKey(endpoint);
    const existing = this.state.connections.get(key);
    if (existing) {
      const connection = await existing.catch(() => undefined);
      if (connection?.isOpen) return connection;
      if (this.state.connections.get(key) !== existing) return this.connection(target); // someone else is reconnecting
      this.state.connections.delete(key);
    }
    const opening = this.openWithRetries(endpoint);
    this.state.connections.set(key, opening);
    opening.then(
      (connection) => {
        connection.onClose((reason) => {
          this.options.log.info(`SSH connection to ${endpoint.label} closed: ${reason}`);
          if (this.state.connections.get(key) === opening) this.state.connections.delete(key);
        });
        if (this.state.disposed) connection.close();
      },
      () => {
        if (this.state.connections.get(key) === opening) this.state.connections.delete(key);
      },
    );
    return opening;
  }

  async exec(target: SshTarget, argv: readonly string[], options?: ExecOptions): Promise<ExitStatus> {
    return (await this.connection(target)).exec(argv, options);
  }

  async execText(target: SshTarget, argv: readonly string[], options?: Omit<ExecOptions, 'onStdout' | 'onStderr'>): Promise<TextResult> {
    return (await this.connection(target)).execText(argv, options);
  }

  async spawn(target: SshTarget, argv: readonly string[], options?: SpawnOptions): Promise<RemoteProcess> {
    return (await this.connection(target)).spawn(argv, options);
  }

  /** Closes the target's pooled connection (the next use opens a new one). */
  async close(target: SshTarget): Promise<void> {
    const key = endpointKey(this.resolve(target));
    const existing = this.state.connections.get(key);
    this.state.connections.delete(key);
    (await existing?.catch(() => undefined))?.close();
  }

  dispose(): void {
    this.state.disposed = true;
    for (const opening of this.state.connections.values())
      void opening.then(
        (connection) => connection.close(),
        () => undefined,
      );
    this.state.connections.clear();
  }

  private async openWithRetries(endpoint: SshEndpoint): Promise<SshConnection> {
    const { retries, initialDelayMs, maxDelayMs } = this.options.reconnect ?? { retries: 3, initialDelayMs: 500, maxDelayMs: 8000 };
    let delay = initialDelayMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await SshConnection.open(endpoint, {
          hostKeys: this.hostKeys,
          knownHostsFor: (each) => this.knownHostsFiles(each),
          unlocker: this.state.unlocker,
          log: this.options.log,
          keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 3000,
          keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
          readyTimeoutMs: this.options.readyTimeoutMs ?? 20_000,
        });
      } catch (error) {
        const transient = error instanceof SshError && error.transient;
        if (!transient || attempt >= retries || this.state.disposed) throw error;
        this.options.log.info(`SSH to ${endpoint.label} failed (${(error as Error).message}); retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, maxDelayMs);
      }
    }
  }

  private knownHostsFiles(endpoint: SshEndpoint): KnownHostsFiles {
    const { extensionKnownHostsFile } = this.options;
    const userFile = endpoint.userKnownHostsFiles[0] ?? path.join(this.local().home, '.ssh', 'known_hosts');
    return {
      read: [...endpoint.userKnownHostsFiles, extensionKnownHostsFile, ...endpoint.globalKnownHostsFiles],
      write: this.options.settings().knownHostsFile === 'extension' ? extensionKnownHostsFile : userFile,
      hash: endpoint.hashKnownHosts,
      refuseUnknown: endpoint.refuseUnknownHostKeys,
    };
  }

  private local(): LocalEnvironment {
    if (this.options.local) return this.options.local;
    const info = os.userInfo();
    return { user: info.username, home: os.homedir(), agentSocket: process.env.SSH_AUTH_SOCK, env: process.env };
  }
}
