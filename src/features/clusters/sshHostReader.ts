import * as vscode from 'vscode';
import { mapConcurrently } from '../../common/concurrency';
import { Disposable } from '../../common/disposable';
import type { Logger } from '../../common/logger';
import { errorMessage } from '../../common/errors';
import type { SshConnectionPool } from '../../ssh/connectionPool';
import { parseSshDestination, type SshTarget } from '../../ssh/sshTarget';
import { HostKeyNotKnownError } from '../connections/backgroundHostKeyPolicy';
import { describeSshHostFailure, gpuInventoryArgv, parseGpuInventory, type GpuInventory, type SshHostGpuState } from './sshHostGpus';

const CONCURRENCY = 4;
const TIMEOUT_MS = 15_000;

export interface SshHostReaderOptions {
  /** The extension's pool: asks the user about host keys and passphrases. */
  readonly pool: () => SshConnectionPool;
  /** A pool that never asks (see clustersBackgroundSsh.ts), for reads nobody clicked for. */
  readonly backgroundPool: SshConnectionPool;
  readonly log: Logger;
  readonly timeoutMs?: number;
}

function targetOf(host: string): SshTarget {
  return { ...parseSshDestination(host), label: host };
}

/** Rejects with a message naming the host when `work` takes longer than `ms`. */
function withTimeout<T>(work: Promise<T>, ms: number, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${host} did not answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Reads the GPUs of the SSH Hosts node's hosts with nvidia-smi: lazily in the background (when the
 * node shows or is refreshed, a few at a time, each within a timeout, never asking the user
 * anything), or on the user's click, through the extension's pool, which may ask about the host key.
 */
export class SshHostGpuReader extends Disposable {
  private readonly states = new Map<string, SshHostGpuState>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fired with the host when what is known of its GPUs changed. */
  readonly onDidChange = this.changed.event;
  /** Hosts the user connected to here: read over the extension's pool from then on. */
  private readonly connectedHere = new Set<string>();
  private backgroundReads = 0;
  /** Targets read in the background since no background read was under way, closed when none is. */
  private readonly backgroundTargets = new Map<string, SshTarget>();

  constructor(private readonly options: SshHostReaderOptions) {
    super();
    this.register({ dispose: () => options.backgroundPool.dispose() });
  }

  state(host: string): SshHostGpuState {
    return this.states.get(host) ?? { status: 'unread' };
  }

  /** Reads, in the background, the hosts not read yet. */
  readInBackground(hosts: readonly string[]): void {
    const unread = hosts.filter((host) => this.state(host).status === 'unread');
    if (unread.length === 0) return;
    for (const host of unread) this.setState(host, { status: 'reading' });
    void mapConcurrently(unread, CONCURRENCY, (host) => this.read(host, !this.connectedHere.has(host)));
  }

  /** Forgets what was read, so that the next showing reads every host again (a refresh). */
  forget(): void {
    for (const [host, state] of this.states) {
      if (state.status !== 'reading') this.states.delete(host);
    }
  }

  /** Connects as the user asked (host key questions included), then reads the host's GPUs. */
  async connectAndRead(host: string): Promise<SshHostGpuState> {
    this.setState(host, { status: 'reading' });
    this.connectedHere.add(host);
    return this.read(host, false);
  }

  private async read(host: string, background: boolean): Promise<SshHostGpuState> {
    const pool = background ? this.options.backgroundPool : this.options.pool();
    const target = targetOf(host);
    if (background) {
      this.backgroundReads++;
      this.backgroundTargets.set(host, target);
    }
    let state: SshHostGpuState;
    try {
      // Only the background read is bounded: a user connecting may be reading a fingerprint.
      const run = pool.execText(target, gpuInventoryArgv, { timeoutMs: this.options.timeoutMs ?? TIMEOUT_MS });
      const result = background ? await withTimeout(run, this.options.timeoutMs ?? TIMEOUT_MS, host) : await run;
      const inventory: GpuInventory = parseGpuInventory(result.stdout, result.stderr, result.code);
      state = { status: 'read', inventory };
    } catch (error) {
      if (error instanceof HostKeyNotKnownError) {
        state = { status: 'hostKeyUnknown', detail: `${error.keyType} ${error.fingerprint}` };
      } else {
        this.options.log.warn(`Reading the GPUs of ${host} failed: ${errorMessage(error)}`);
        state = describeSshHostFailure(error, host);
      }
    } finally {
      if (background) this.backgroundReadEnded();
    }
    if (!this.isDisposed) this.setState(host, state);
    return state;
  }

  /**
   * Background connections are not kept (the next read is a refresh away), but they are closed only
   * once no background read is under way: the pool shares one connection between hosts that reach
   * the same machine (two aliases of it), and closing it after one read would break the other's.
   */
  private backgroundReadEnded(): void {
    if (--this.backgroundReads > 0) return;
    const targets = [...this.backgroundTargets.values()];
    this.backgroundTargets.clear();
    for (const target of targets) void this.options.backgroundPool.close(target).catch(() => undefined);
  }

  private setState(host: string, state: SshHostGpuState): void {
    this.states.set(host, state);
    this.changed.fire(host);
  }
}
