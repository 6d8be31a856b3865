/**
 * Simulated GPU VMs for the sandbox cloud: one real OpenSSH sshd per VM on its own loopback address.
 *
 *   const hosts = await startSimulatedHosts(
 *     [{ name: 'gpu0', address: '127.0.0.2', gpu: { model: 'NVIDIA A100 80GB PCIe', count: 1, memoryMiB: 81920 } }],
 *     { stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hosts-')) });
 *   // ssh -i hosts.privateKeyPath -o UserKnownHostsFile=hosts.knownHostsPath azureuser@127.0.0.2
 *   // (or sshArguments / runOverSsh in ssh-command.ts)
 *   await hosts.stop('gpu0'); await hosts.start('gpu0');   // deallocate / start the VM
 *   await hosts.dispose();
 *
 * As root (CI): user `azureuser`, port 22. Each VM is `unshare --mount --uts --pid` with sshd as its
 * init: the VM's hostname, its own home (bind mount over /home/azureuser), /usr/local/bin (stand-in
 * nvidia-smi, fixed torchrun), /proc (`ps` shows the VM's processes only) and an /etc/hosts naming
 * every VM, so multi-node torchrun works across VMs (gloo on CPU). Sessions get
 * PATH=/usr/local/bin:/usr/bin:/bin (Debian's python3 with torch) and SANDBOX_HOST_ID.
 * Not root: the fallback logs in as the current user on port 2222, keys in the state folder, no
 * namespaces: sessions share this machine's hostname, /etc/hosts, processes and the user's real
 * home, so per-VM files and multi-node torchrun by VM name do not work; ssh, per-VM nvidia-smi,
 * stop/start (jobs found by SANDBOX_HOST_ID), killConnections and network faults do.
 * Either way VMs share this machine's ports (no network namespace): two jobs cannot both bind 29500.
 *
 * Clients dial a TCP relay at `address:port` (run by a child process, so it keeps forwarding while
 * the caller blocks in execFileSync) that forwards to sshd on another port: freezeNetwork (nothing
 * moves, no FIN/RST, new connections get no banner), thawNetwork, cutNetwork (RST, listener stays).
 * killConnections kills sshd's per-connection processes instead (server side of each connection).
 * Stop kills the VM's init (the kernel ends every process in its PID namespace) and then anything
 * left in its mount+UTS namespaces; should this process die, setpriv --pdeathsig ends the VMs too.
 *
 * State folder: client/id_ed25519{,.pub}, client/known_hosts, etc-hosts, and per VM hosts/<name>/
 * (ssh_host_ed25519_key, sshd_config, sshd.log, home/, bin/ with bin/.sandbox-gpu/ for nvidia-smi).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { GpuLoad } from './gpu-state';
import { HostMachine, type HostSpec, type Isolation, type SimulatedHost } from './host-machine';
import { ensureEd25519KeyPair } from './keys';
import { RelayProcess } from './relay-client';
import { currentUser, ensureLoginUser } from './user-account';

export type { GpuLoad, GpuSpec } from './gpu-state';
export type { HostSpec, SimulatedHost } from './host-machine';

export interface SimulatedHosts {
  /** The account to log in as: `azureuser` as root, the current user otherwise. */
  readonly user: string;
  /** True when every VM has its own hostname, home and /etc/hosts (root). */
  readonly isolated: boolean;
  readonly stateDir: string;
  readonly privateKeyPath: string;
  readonly publicKey: string;
  readonly knownHostsPath: string;
  readonly hosts: readonly SimulatedHost[];
  host(name: string): SimulatedHost;
  /**
   * Adds and starts a VM made after the sandbox started (a VM created through the stand-in): with the
   * host key it was given (cloud-init's `ssh_keys`) and the login key it was created with.
   */
  add(spec: HostSpec, keys?: { hostPrivateKey?: string; hostPublicKey?: string; authorizedKey?: string }): Promise<SimulatedHost>;
  /** Starts a stopped VM: same host key, same home. */
  start(name: string): Promise<void>;
  /** Deallocates a VM: connection refused; its sshd and every process inside it are killed. */
  stop(name: string): Promise<void>;
  killConnections(name: string): Promise<void>;
  freezeNetwork(name: string): Promise<void>;
  thawNetwork(name: string): Promise<void>;
  cutNetwork(name: string): Promise<void>;
  /** One load for all GPUs, one per GPU, or undefined for values derived from the VM's Python jobs. */
  setGpuLoad(name: string, load: GpuLoad | readonly GpuLoad[] | undefined): Promise<void>;
  /** Stops every VM; removes the state folder unless `keepStateDir`. */
  dispose(): Promise<void>;
}

export interface SimulatedHostsOptions {
  stateDir: string;
  keepStateDir?: boolean;
  /** Root only; default `azureuser`. */
  user?: string;
}

export async function startSimulatedHosts(specs: readonly HostSpec[], options: SimulatedHostsOptions): Promise<SimulatedHosts> {
  validate(specs);
  const isolation: Isolation = process.getuid?.() === 0 ? 'namespaces' : 'none';
  const stateDir = path.resolve(options.stateDir);
  const clientDir = path.join(stateDir, 'client');
  await fs.mkdir(clientDir, { recursive: true, mode: 0o700 });
  const [user, clientKey] = await Promise.all([
    isolation === 'namespaces' ? ensureLoginUser(options.user ?? 'azureuser') : currentUser(),
    ensureEd25519KeyPair(path.join(clientDir, 'id_ed25519'), 'azure-pytorch-sandbox'),
  ]);
  const etcHostsPath = path.join(stateDir, 'etc-hosts');
  await fs.writeFile(etcHostsPath, etcHosts(specs), { mode: 0o644 });
  const knownHostsPath = path.join(clientDir, 'known_hosts');
  const instanceId = randomBytes(4).toString('hex');
  const relays = RelayProcess.start(stateDir);
  const machines: HostMachine[] = [];

  const dispose = async (): Promise<void> => {
    const results = await Promise.allSettled(machines.map((each) => each.stop()));
    await relays.dispose();
    if (!options.keepStateDir) await fs.rm(stateDir, { recursive: true, force: true });
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  };
  try {
    for (const spec of specs) {
      machines.push(
        await HostMachine.create({
          spec,
          dir: path.join(stateDir, 'hosts', spec.name),
          hostId: `${spec.name}.${instanceId}`,
          user,
          isolation,
          clientPublicKey: clientKey.publicKey,
          etcHostsPath,
          port: spec.port ?? (isolation === 'namespaces' ? 22 : 2222),
          relays,
        }),
      );
    }
    await fs.writeFile(knownHostsPath, machines.map((machine) => `${machine.knownHostsLine}\n`).join(''));
    await Promise.all(machines.map((each) => each.start()));
  } catch (error) {
    await dispose().catch(() => undefined);
    throw error;
  }

  const add = async (
    spec: HostSpec,
    keys: { hostPrivateKey?: string; hostPublicKey?: string; authorizedKey?: string } = {},
  ): Promise<SimulatedHost> => {
    validate([...machines.map((each) => ({ name: each.name, address: each.address })), spec]);
    const dir = path.join(stateDir, 'hosts', spec.name);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (keys.hostPrivateKey && keys.hostPublicKey) {
      await fs.writeFile(path.join(dir, 'ssh_host_ed25519_key'), `${keys.hostPrivateKey.trim()}\n`, { mode: 0o600 });
      await fs.writeFile(path.join(dir, 'ssh_host_ed25519_key.pub'), `${keys.hostPublicKey.trim()}\n`, { mode: 0o644 });
    }
    await fs.appendFile(etcHostsPath, `${spec.address}\t${spec.name}\n`);
    const added = await HostMachine.create({
      spec,
      dir,
      hostId: `${spec.name}.${instanceId}`,
      user,
      isolation,
      clientPublicKey: keys.authorizedKey ?? clientKey.publicKey,
      etcHostsPath,
      port: spec.port ?? (isolation === 'namespaces' ? 22 : 2222),
      relays,
    });
    machines.push(added);
    await added.start();
    return added;
  };

  const machine = (name: string): HostMachine => {
    const found = machines.find((each) => each.name === name);
    if (!found) throw new Error(`No simulated host named ${name}`);
    return found;
  };
  return {
    user: user.name,
    isolated: isolation === 'namespaces',
    stateDir,
    privateKeyPath: clientKey.privateKeyPath,
    publicKey: clientKey.publicKey,
    knownHostsPath,
    hosts: machines,
    host: machine,
    add,
    start: (name) => machine(name).start(),
    stop: (name) => machine(name).stop(),
    killConnections: (name) => machine(name).killConnections(),
    freezeNetwork: (name) => machine(name).freezeNetwork(),
    thawNetwork: (name) => machine(name).thawNetwork(),
    cutNetwork: (name) => machine(name).cutNetwork(),
    setGpuLoad: (name, load) => machine(name).setGpuLoad(load),
    dispose,
  };
}

function validate(specs: readonly HostSpec[]): void {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const { name, address } of specs) {
    // Azure's Linux VM names; also a safe folder name and a valid hostname (at most 64 bytes).
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error(`Invalid host name: ${name}`);
    // Loopback only: simulated hosts must never listen or be reached beyond this machine.
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) throw new Error(`Not a loopback address: ${address}`);
    if (names.has(name) || addresses.has(address)) throw new Error(`Duplicate host ${name} or address ${address}`);
    names.add(name);
    addresses.add(address);
  }
}

function etcHosts(specs: readonly HostSpec[]): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  return [...lines, ...specs.map((spec) => `${spec.address}\t${spec.name}`)].join('\n') + '\n';
}
