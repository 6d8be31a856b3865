import { spawn as spawnLocal } from 'node:child_process';
import { Duplex, type Readable, type Writable } from 'node:stream';
import {
  Client,
  type CipherAlgorithm,
  type ClientChannel,
  type ConnectConfig,
  type PseudoTtyOptions,
  type ServerHostKeyAlgorithm,
} from 'ssh2';
import { errorMessage, toError } from '../common/errors';
import { field, numberField, stringField } from '../common/fields';
import type { Logger } from '../common/logger';
import {
  AuthenticationFailedError,
  CommandAbortedError,
  CommandTimeoutError,
  ConnectionLostError,
  HostKeyChangedError,
  HostKeyRejectedError,
  SshError,
} from './errors';
import { hostKeyFromBlob } from './hostKey';
import type { HostKeyVerifier, KnownHostsFiles } from './hostKeyVerifier';
import { KeyChain } from './keyChain';
import type { KeyUnlocker } from './keyUnlocker';
import { remoteCommandLine, type CommandContext } from './remoteCommand';
import { shellQuote } from './shellQuote';
import type { SshEndpoint } from './sshEndpoint';

/** How a remote command ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

export interface ExecOptions extends CommandContext {
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  /** Fed to the command's stdin, then closed. Without it stdin is closed at once. */
  readonly stdin?: Buffer | string | Readable;
  /** Cancels the command: it gets SIGTERM and the call rejects with CommandAbortedError. */
  readonly signal?: AbortSignal;
  /** Bound on the whole run; past it the command gets SIGTERM and the call rejects with CommandTimeoutError. */
  readonly timeoutMs?: number;
}

export interface SpawnOptions extends CommandContext {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * A running remote command with its streams. Its stdout and stderr must be read (or resumed):
 * the channel, and so `exit`, completes only once they are drained.
 */
export interface RemoteProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the channel closes; rejects on connection loss, timeout or abort. */
  readonly exit: Promise<ExitStatus>;
  /** Sends a signal (default TERM) and closes the channel. */
  kill(signal?: string): void;
}

/** Output of a command collected as text. */
export interface TextResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
}

/** What opening a connection needs besides the endpoint. */
export interface ConnectDependencies {
  readonly hostKeys: HostKeyVerifier;
  readonly knownHostsFor: (endpoint: SshEndpoint) => KnownHostsFiles;
  readonly unlocker: KeyUnlocker;
  readonly log: Logger;
  readonly keepaliveIntervalMs: number;
  readonly keepaliveCountMax: number;
  readonly readyTimeoutMs: number;
}

const SIGNAL_GRACE_MS = 2000;
// ssh2 orders ciphers by CPU features it may not detect once bundled; AES-GCM is fastest on any
// server CPU (AES-NI through OpenSSL), and the rest are ssh2's defaults.
const CIPHERS: CipherAlgorithm[] = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'chacha20-poly1305@openssh.com',
];
const HOST_KEY_TYPES: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** One authenticated SSH connection (through its jump hosts, if any). */
export class SshConnection {
  private closedReason: string | undefined;
  private readonly closeListeners = new Set<(reason: string) => void>();

  private constructor(
    readonly endpoint: SshEndpoint,
    private readonly client: Client,
    private readonly jump: SshConnection | undefined,
  ) {
    const onGone = (reason: string): void => {
      if (this.closedReason !== undefined) return;
      this.closedReason = reason;
      this.jump?.close();
      for (const listener of this.closeListeners) listener(reason);
    };
    client.on('error', (error) => onGone(error.message));
    client.on('close', () => onGone('connection closed'));
    client.on('end', () => onGone('connection closed by the server'));
    jump?.onClose((reason) => {
      onGone(`jump host ${jump.endpoint.label} lost: ${reason}`);
      client.end();
    });
  }

  /** Opens and authenticates a connection; rejects with an SshError subclass on failure. */
  static async open(endpoint: SshEndpoint, deps: ConnectDependencies): Promise<SshConnection> {
    const jump = endpoint.via ? await SshConnection.open(endpoint.via, deps) : undefined;
    try {
      const sock = jump
        ? await jump.forwardOut(endpoint.host, endpoint.port)
        : endpoint.proxyCommand
          ? proxyCommandSocket(endpoint)
          : undefined;
      const client = await authenticate(endpoint, deps, sock);
      return new SshConnection(endpoint, client, jump);
    } catch (error) {
      jump?.close();
      throw error;
    }
  }

  get isOpen(): boolean {
    return this.closedReason === undefined;
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    if (this.closedReason === undefined) this.closedReason = 'closed';
    this.client.end();
    this.jump?.close();
  }

  /** Runs an argv (quoted by shellQuote), streaming its output to the callbacks. */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExitStatus> {
    const process = await this.spawn(argv, options);
    process.stdout.on('data', (chunk: Buffer) => options.onStdout?.(chunk));
    process.stderr.on('data', (chunk: Buffer) => options.onStderr?.(chunk));
    const { stdin } = options;
    if (stdin === undefined) process.stdin.end();
    else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) process.stdin.end(stdin);
    else stdin.pipe(process.stdin);
    return process.exit;
  }

  /** Runs an argv and collects its output as UTF-8 text. */
  async execText(argv: readonly string[], options: Omit<ExecOptions, 'onStdout' | 'onStderr'> = {}): Promise<TextResult> {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const status = await this.exec(argv, { ...options, onStdout: (chunk) => stdout.push(chunk), onStderr: (chunk) => stderr.push(chunk) });
    return { ...status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
  }

  /** Starts an argv and hands back its streams (the streaming variant of exec). */
  async spawn(argv: readonly string[], options: SpawnOptions = {}): Promise<RemoteProcess> {
    const command = remoteCommandLine(argv, options);
    options.signal?.throwIfAborted();
    // Tracked inside the open callback: a quick command's exit status can arrive in the same tick.
    return this.openChannel(
      (callback) => this.client.exec(command, callback),
      (channel) => this.track(channel, options),
    );
  }

  /** An interactive login shell with a terminal (for "Open SSH Terminal"). */
  async shell(window: PseudoTtyOptions = {}): Promise<ClientChannel> {
    return this.openChannel(
      (callback) => this.client.shell({ term: 'xterm-256color', ...window }, callback),
      (channel) => channel,
    );
  }

  /** A TCP stream from the remote side to host:port (also how jump hosts carry the next hop). */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    return this.openChannel(
      (callback) => this.client.forwardOut('127.0.0.1', 0, host, port, callback),
      (channel) => channel,
    );
  }

  private openChannel<T>(
    open: (callback: (error: Error | undefined, channel: ClientChannel) => void) => void,
    prepare: (channel: ClientChannel) => T,
  ): Promise<T> {
    if (this.closedReason !== undefined)
      return Promise.reject(new ConnectionLostError(`SSH connection to ${this.endpoint.label} is closed (${this.closedReason})`));
    return new Promise((resolve, reject) => {
      const onGone = this.onClose((reason) => reject(new ConnectionLostError(`SSH connection to ${this.endpoint.label} lost: ${reason}`)));
      try {
        open((error, channel) => {
          onGone();
          if (error)
            reject(
              this.closedReason !== undefined
                ? new ConnectionLostError(`SSH connection to ${this.endpoint.label} lost: ${this.closedReason}`)
                : new SshError(`Could not open an SSH channel to ${this.endpoint.label}: ${error.message}`, true),
            );
          else resolve(prepare(channel));
        });
      } catch (error) {
        onGone();
        reject(new ConnectionLostError(`SSH connection to ${this.endpoint.label} lost: ${errorMessage(error)}`));
      }
    });
  }

  private track(channel: ClientChannel, options: SpawnOptions): RemoteProcess {
    let status: ExitStatus | undefined;
    let failure: SshError | undefined;
    let timer: NodeJS.Timeout | undefined;
    channel.on('exit', (code: number | null, signal?: string) => {
      status = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
    });
    const kill = (signal = 'TERM'): void => {
      sendSignal(channel, signal);
      // sshd does not kill a command without a terminal when its channel closes; the signal above
      // does, and the close after a grace period frees the channel even if the command ignores it.
      setTimeout(() => channel.close(), SIGNAL_GRACE_MS).unref();
    };
    const stop = (error: SshError): void => {
      if (failure === undefined && status === undefined) {
        failure = error;
        kill();
      }
    };
    const onAbort = (): void => stop(new CommandAbortedError('The remote command was cancelled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(
        () => stop(new CommandTimeoutError(`The remote command did not finish within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    }
    const exit = new Promise<ExitStatus>((resolve, reject) => {
      const removeCloseListener = this.onClose((reason) => {
        failure ??= new ConnectionLostError(`SSH connection to ${this.endpoint.label} lost: ${reason}`);
      });
      channel.on('close', () => {
        removeCloseListener();
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        if (status) return resolve(status);
        reject(
          new ConnectionLostError(
            `SSH connection to ${this.endpoint.label} lost: ${this.closedReason ?? 'the command ended without an exit status'}`,
          ),
        );
      });
    });
    exit.catch(() => undefined); // callers that only read the streams must not crash the process
    return { stdin: channel, stdout: channel, stderr: channel.stderr, exit, kill };
  }
}

function authenticate(endpoint: SshEndpoint, deps: ConnectDependencies, sock: Duplex | undefined): Promise<Client> {
  const files = deps.knownHostsFor(endpoint);
  const identity = { host: endpoint.hostKeyName, port: endpoint.port, label: endpoint.label };
  const keyChain = new KeyChain({
    identityFiles: endpoint.identityFiles,
    identitiesOnly: endpoint.identitiesOnly,
    agentSocket: endpoint.agentSocket,
    unlocker: deps.unlocker,
    log: deps.log,
  });
  return deps.hostKeys.preferredKeyTypes(identity, files).then(
    (known) =>
      new Promise<Client>((resolve, reject) => {
        const client = new Client();
        let hostKeyError: Error | undefined;
        let authOffered = false;
        let authExhausted = false;
        const authFailed = (): AuthenticationFailedError =>
          new AuthenticationFailedError(
            `${endpoint.user}@${endpoint.host}:${endpoint.port} refused every key offered ` +
              `(ssh-agent${endpoint.agentSocket ? '' : ' not running'}; key files: ${endpoint.identityFiles.join(', ') || 'none'}). ` +
              "Add your public key to the VM's ~/.ssh/authorized_keys or choose a key in azurePytorch.ssh.identityFile.",
          );
        let settled = false;
        const fail = (error: Error): void => {
          if (settled) return;
          settled = true;
          client.end();
          reject(error);
        };
        const serverHostKey = [
          ...known
            .filter(isHostKeyAlgorithm)
            .flatMap((type): ServerHostKeyAlgorithm[] => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type])),
          ...HOST_KEY_TYPES,
        ];
        const config: ConnectConfig = {
          host: endpoint.host,
          port: endpoint.port,
          username: endpoint.user,
          sock,
          readyTimeout: endpoint.connectTimeoutMs ?? deps.readyTimeoutMs,
          keepaliveInterval: endpoint.keepaliveIntervalMs ?? deps.keepaliveIntervalMs,
          keepaliveCountMax: endpoint.keepaliveCountMax ?? deps.keepaliveCountMax,
          algorithms: {
            cipher: CIPHERS,
            serverHostKey: [...new Set(serverHostKey)],
          },
          hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
            let key;
            try {
              key = hostKeyFromBlob(blob);
            } catch (error) {
              hostKeyError = toError(error);
              return verify(false);
            }
            deps.hostKeys.verify(identity, key, files).then(
              () => verify(true),
              (error: Error) => {
                hostKeyError = error;
                verify(false);
              },
            );
          },
          authHandler: (_methodsLeft, _partial, next) => {
            if (authOffered) {
              authExhausted = true;
              return false; // ssh2: no more methods to try (its types leave this out)
            }
            authOffered = true;
            next({ type: 'agent', username: endpoint.user, agent: keyChain });
          },
        };
        client.on('ready', () => {
          // Nagle's algorithm against the server's delayed ACKs costs ~40 ms per request/reply.
          client.setNoDelay(true);
          settled = true;
          resolve(client);
        });
        client.on('error', (error: Error & { level?: string }) => {
          // A key that could not be unlocked or used: ssh2 goes on with the next one.
          if (error.level === 'agent' || error.level === 'client-authentication') {
            deps.log.warn(`SSH ${endpoint.label}: ${error.message}`);
            return;
          }
          if (hostKeyError) return fail(hostKeyError instanceof SshError ? hostKeyError : new HostKeyRejectedError(hostKeyError.message));
          if (authExhausted || /authentication methods failed/i.test(error.message)) return fail(authFailed());
          fail(
            new SshError(
              `Could not connect to ${endpoint.label} (${endpoint.host}:${endpoint.port}): ${error.message}`,
              isTransient(error),
            ),
          );
        });
        client.on('close', () =>
          fail(
            hostKeyError ??
              (authExhausted ? authFailed() : undefined) ??
              new SshError(`Connection to ${endpoint.label} (${endpoint.host}:${endpoint.port}) closed during setup`, true),
          ),
        );
        try {
          client.connect(config);
        } catch (error) {
          fail(new SshError(`Could not connect to ${endpoint.label}: ${errorMessage(error)}`));
        }
      }),
  );
}

function isTransient(error: Error & { code?: string; level?: string }): boolean {
  if (error instanceof HostKeyChangedError || error instanceof HostKeyRejectedError) return false;
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN'].includes(error.code ?? '') ||
    error.level === 'client-timeout' ||
    /timed out|handshake|closed|reset/i.test(error.message)
  );
}

/** ProxyCommand: the command's stdin/stdout become the connection's socket. */
function proxyCommandSocket(endpoint: SshEndpoint): Duplex {
  const command = endpoint.proxyCommand!.replace(/%(.)/g, (whole, token: string) =>
    token === 'h'
      ? shellQuote(endpoint.host)
      : token === 'p'
        ? String(endpoint.port)
        : token === 'r'
          ? shellQuote(endpoint.user)
          : token === '%'
            ? '%'
            : whole,
  );
  const child = spawnLocal('/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const socket = Duplex.from({ readable: child.stdout, writable: child.stdin });
  socket.on('close', () => child.kill());
  return socket;
}

/** Host key algorithms ssh2 knows; known_hosts may name others (certificates, security keys). */
function isHostKeyAlgorithm(type: string): type is ServerHostKeyAlgorithm {
  return type === 'ssh-dss' || HOST_KEY_TYPES.some((known) => known === type);
}

/** ssh2's protocol object (a private field of the client), as far as sending a signal goes. */
interface SshProtocol {
  signal(channelId: number, signal: string): void;
}

function isSshProtocol(value: unknown): value is SshProtocol {
  return typeof field(value, 'signal') === 'function';
}

/**
 * ssh2's channel.signal() sends nothing once stdin is closed (it checks `writable`), yet the
 * command still runs then; the protocol call is the same request without that check.
 */
function sendSignal(channel: ClientChannel, signal: string): void {
  const outgoing = field(channel, 'outgoing');
  const id = numberField(outgoing, 'id');
  const state = stringField(outgoing, 'state');
  const protocol = field(field(channel, '_client'), '_protocol');
  try {
    if (id !== undefined && (state === 'open' || state === 'eof')) {
      if (isSshProtocol(protocol)) protocol.signal(id, signal);
    } else channel.signal(signal);
  } catch {
    // the channel is already closing
  }
}
