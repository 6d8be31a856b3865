import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { writeGpuInventory, writeGpuLoad, type GpuLoad, type GpuSpec } from './gpu-state';
import { installPrograms, prepareHome } from './host-disk';
import { hostFilesDirectory } from './host-files';
import { ensureEd25519KeyPair, knownHostsLine, sha256Fingerprint } from './keys';
import { killUntilGone } from './process-killer';
import {
  descendantsOf,
  listProcesses,
  namespaceIdsOf,
  pidsInNamespaces,
  pidsWithEnvironmentEntry,
  type NamespaceIds,
} from './process-table';
import type { RelayProcess } from './relay-client';
import { renderSshdConfig } from './sshd-config';
import { canConnect, freePort } from './tcp-probe';
import type { LoginUser } from './user-account';

export interface HostSpec {
  /** The VM name: its hostname and its name in every VM's /etc/hosts. */
  name: string;
  /** A loopback address (127.x.y.z) of its own. */
  address: string;
  /** Port clients dial; default 22 as root, 2222 otherwise. */
  port?: number;
  /** The GPUs of the VM's size; none: nvidia-smi says "No devices were found". */
  gpu?: GpuSpec;
}

export interface SimulatedHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly gpu: GpuSpec | undefined;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  readonly knownHostsLine: string;
  /** On this machine: the folder the VM's sessions see as their home. */
  readonly homeDir: string;
  readonly running: boolean;
  /** While running, the host's root process on this machine: sshd, or as root the `unshare` holding its namespaces. */
  readonly pid: number | undefined;
}

/**
 * `namespaces` (root): each host is a mount, UTS and PID namespace with its own hostname, home,
 * /usr/local/bin, /etc/hosts and /proc; sshd is its init (PID 1), which reaps orphaned jobs, and
 * killing it ends every process of the host. `none` (not root): hosts share this machine's hostname,
 * /etc/hosts, processes and the user's real home; only sshd, host key, port, a bin folder first on
 * PATH (nvidia-smi, torchrun) and the GPUs are per host. Orphaned jobs are reaped by this machine's
 * init (some sandboxes' init never reaps: zombies remain there, as they do for any orphan).
 */
export type Isolation = 'namespaces' | 'none';

export interface HostMachineOptions {
  spec: HostSpec;
  /** This host's state folder (created if missing, reused as is: a stopped VM keeps its disk). */
  dir: string;
  /** Unique per host and sandbox; set in every session's environment as SANDBOX_HOST_ID. */
  hostId: string;
  user: LoginUser;
  isolation: Isolation;
  clientPublicKey: string;
  etcHostsPath: string;
  /** The port clients dial (the relay's); sshd itself listens on a free port of the same address. */
  port: number;
  relays: RelayProcess;
}

const READY_TIMEOUT_MS = 10_000;

/** One simulated VM: its files, its sshd (inside its namespaces as root) and the relay in front. */
export class HostMachine implements SimulatedHost {
  /** What was spawned: sshd itself, or the `unshare` whose child (the VM's init) is sshd. */
  private root: ChildProcess | undefined;
  private rootExited: Promise<void> = Promise.resolve();
  private listenerPid: number | undefined;
  private namespaces: NamespaceIds | undefined;

  private constructor(
    private readonly options: HostMachineOptions,
    readonly hostKeyFingerprint: string,
    readonly knownHostsLine: string,
    private readonly sshdPort: number,
  ) {}

  static async create(options: HostMachineOptions): Promise<HostMachine> {
    const { dir, spec } = options;
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const hostKey = await ensureEd25519KeyPair(path.join(dir, 'ssh_host_ed25519_key'), `root@${spec.name}`);
    const machine = new HostMachine(
      options,
      sha256Fingerprint(hostKey.publicKey),
      knownHostsLine(spec.address, options.port, hostKey.publicKey),
      await freePort(spec.address),
    );
    await machine.prepareFiles(hostKey.privateKeyPath);
    return machine;
  }

  get name(): string {
    return this.options.spec.name;
  }

  get address(): string {
    return this.options.spec.address;
  }

  get port(): number {
    return this.options.port;
  }

  get gpu(): GpuSpec | undefined {
    return this.options.spec.gpu;
  }

  get homeDir(): string {
    return this.options.isolation === 'namespaces' ? this.homeSource : this.options.user.home;
  }

  get running(): boolean {
    return this.root !== undefined;
  }

  get pid(): number | undefined {
    return this.root?.pid;
  }

  async start(): Promise<void> {
    if (this.root) return;
    await this.stop(); // what a crashed sshd may have left behind
    const log = await fs.open(path.join(this.options.dir, 'sshd.log'), 'a');
    let root: ChildProcess;
    try {
      // setpriv --pdeathsig: should this process die without stop(), its hosts die with it.
      // Own process group: Ctrl-C in the terminal must not end the VM before dispose() does.
      root = spawn('setpriv', ['--pdeathsig', 'KILL', ...this.rootCommand()], { stdio: ['ignore', log.fd, log.fd], detached: true });
    } finally {
      await log.close();
    }
    this.root = root;
    this.rootExited = new Promise((resolve) => {
      const ended = (): void => {
        if (this.root === root) this.root = undefined;
        resolve();
      };
      root.once('exit', ended);
      root.once('error', ended); // could not be started at all
    });
    try {
      await this.waitUntilListening(root);
      this.listenerPid = await this.findListener(root);
      if (this.options.isolation === 'namespaces') this.namespaces = await this.ownNamespaces(root);
      await this.options.relays.open(this.name, { address: this.address, port: this.port }, this.sshdEndpoint);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Deallocation: the relay stops listening and every process of the host dies, detached jobs included. */
  async stop(): Promise<void> {
    await this.options.relays.send(this.name, 'close');
    const { root, listenerPid, namespaces } = this;
    if (root && listenerPid !== undefined) {
      // In a PID namespace the listener is its init: the kernel kills every other process of the VM
      // with it, and `unshare` reaps it and exits.
      signal(listenerPid, 'SIGKILL');
      await waitAtMost(this.rootExited, 5_000);
    }
    if (namespaces) {
      await killUntilGone(() => pidsInNamespaces(namespaces), `the processes of host ${this.name}`);
    } else {
      await killUntilGone(() => this.processesWithoutNamespaces(root), `the processes of host ${this.name}`);
    }
    await this.rootExited;
    this.root = undefined;
    this.listenerPid = undefined;
    this.namespaces = undefined;
  }

  /** Kills the per-connection sshd processes: each open SSH connection dies server-side; the listener stays. */
  async killConnections(): Promise<void> {
    const listenerPid = this.listenerPid;
    if (!this.root || listenerPid === undefined) return;
    const connections = new Set(
      descendantsOf(await listProcesses(), listenerPid)
        .filter((entry) => entry.name === 'sshd')
        .map((entry) => entry.pid),
    );
    await killUntilGone(
      async () => (await listProcesses()).map((entry) => entry.pid).filter((pid) => connections.has(pid)),
      `the SSH connections of host ${this.name}`,
    );
  }

  async freezeNetwork(): Promise<void> {
    await this.options.relays.send(this.name, 'freeze');
  }

  async thawNetwork(): Promise<void> {
    await this.options.relays.send(this.name, 'thaw');
  }

  async cutNetwork(): Promise<void> {
    await this.options.relays.send(this.name, 'cut');
  }

  async setGpuLoad(load: GpuLoad | readonly GpuLoad[] | undefined): Promise<void> {
    await writeGpuLoad(this.binDir, this.gpu?.count ?? 0, load);
  }

  private get homeSource(): string {
    return path.join(this.options.dir, 'home');
  }

  private get binDir(): string {
    return path.join(this.options.dir, 'bin');
  }

  private get sshdConfigPath(): string {
    return path.join(this.options.dir, 'sshd_config');
  }

  private get sshdEndpoint(): { address: string; port: number } {
    return { address: this.address, port: this.sshdPort };
  }

  private rootCommand(): string[] {
    const sshd = ['/usr/sbin/sshd', '-D', '-e', '-f', this.sshdConfigPath];
    if (this.options.isolation === 'none') return sshd;
    const init = path.join(hostFilesDirectory(), 'host-init.sh');
    const { user, etcHostsPath } = this.options;
    return [
      // --kill-child: should unshare be killed, its child (the VM's init) is killed too.
      ...['unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private'],
      ...['/bin/sh', init, this.name, this.homeSource, user.home, this.binDir, etcHostsPath, this.sshdConfigPath],
    ];
  }

  /** Without namespaces: sshd's process tree, plus detached jobs found by their session environment. */
  private async processesWithoutNamespaces(root: ChildProcess | undefined): Promise<number[]> {
    const tagged = await pidsWithEnvironmentEntry(`SANDBOX_HOST_ID=${this.options.hostId}`);
    // Only while sshd is not reaped: a reaped one's PID may already belong to another process.
    if (!root?.pid || this.root !== root) return tagged;
    const tree = descendantsOf(await listProcesses(), root.pid).map((entry) => entry.pid);
    return [...new Set([root.pid, ...tree, ...tagged])];
  }

  private async prepareFiles(hostKeyPath: string): Promise<void> {
    const { user, isolation, clientPublicKey, hostId } = this.options;
    const isolated = isolation === 'namespaces';
    let authorizedKeysFile: string | undefined;
    if (isolated) {
      await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation, as root
      await prepareHome(this.homeSource, user, clientPublicKey);
    } else {
      // Never touch the real user's ~/.ssh: the fallback's sshd reads the key from the state folder.
      authorizedKeysFile = path.join(this.options.dir, 'authorized_keys');
      await fs.writeFile(authorizedKeysFile, `${clientPublicKey}\n`, { mode: 0o600 });
    }
    await installPrograms(this.binDir);
    await writeGpuInventory(this.binDir, hostId, this.gpu);
    const binOnPath = isolated ? '/usr/local/bin' : this.binDir;
    const config = renderSshdConfig({
      listenAddress: this.address,
      listenPort: this.sshdPort,
      hostKeyPath,
      user: user.name,
      authorizedKeysFile,
      strictModes: isolated,
      environment: { PATH: `${binOnPath}:/usr/bin:/bin`, SANDBOX_HOST_ID: hostId },
    });
    await fs.writeFile(this.sshdConfigPath, config, { mode: 0o600 });
  }

  private async waitUntilListening(root: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await canConnect(this.sshdEndpoint))) {
      if (this.root !== root || Date.now() > deadline) {
        const log = await fs.readFile(path.join(this.options.dir, 'sshd.log'), 'utf8').catch(() => '');
        const tail = log.trim().split('\n').slice(-8).join('\n');
        throw new Error(`sshd of host ${this.name} did not start listening; its log ends with:\n${tail}`);
      }
      await sleep(25);
    }
  }

  private async findListener(root: ChildProcess): Promise<number> {
    const rootPid = root.pid;
    if (rootPid === undefined) throw new Error(`sshd of host ${this.name} has no PID`);
    if (this.options.isolation === 'none') return rootPid;
    const listener = (await listProcesses()).find((entry) => entry.parentPid === rootPid && entry.name === 'sshd');
    if (!listener) throw new Error(`No sshd under unshare ${rootPid} for host ${this.name}`);
    return listener.pid;
  }

  /** The namespaces stop() empties; refusing ours guards against ever killing this machine's processes. */
  private async ownNamespaces(root: ChildProcess): Promise<NamespaceIds> {
    const [theirs, ours] = await Promise.all([namespaceIdsOf(root.pid ?? -1), namespaceIdsOf(process.pid)]);
    if (!theirs || !ours || theirs.mount === ours.mount || theirs.uts === ours.uts) {
      throw new Error(`sshd of host ${this.name} is not in namespaces of its own`);
    }
    return theirs;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
