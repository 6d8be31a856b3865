import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { silentLogger } from '../../../src/common/logger';
import { sshJobHost, type SshJobHost, type SshWorkspaceSync } from '../../../src/jobs/sshJobHost';
import { SshConnectionPool } from '../../../src/ssh/connectionPool';
import { workspaceDir } from '../../../src/jobs/remoteLayout';
import { startSimulatedHosts, type SimulatedHosts } from '../../sandbox/hosts';
import { randomLoopbackPrefix } from '../../sandbox/hosts/loopback';

export const fixtureWorkspace = path.resolve(__dirname, '../../../../test/fixtures/workspace');

/** Simulated GPU VMs with two T4s each, on a loopback prefix of their own. */
export async function startJobHosts(count: number, tag: string): Promise<SimulatedHosts> {
  const prefix = randomLoopbackPrefix();
  return startSimulatedHosts(
    Array.from({ length: count }, (_, i) => ({
      name: `${tag}-node${i}`,
      address: `${prefix}${i + 2}`,
      gpu: { model: 'Tesla T4', count: 2, memoryMiB: 15360 },
    })),
    { stateDir: fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`)) },
  );
}

/**
 * The SSH layer's pool, set up for the simulated VMs: the sandbox's key and known_hosts, no
 * ~/.ssh/config, no agent, and no unknown host key ever accepted.
 */
export function sandboxPool(hosts: SimulatedHosts): SshConnectionPool {
  // Inside the hosts' state folder, so it goes when they are disposed.
  const home = fs.mkdtempSync(path.join(hosts.stateDir, 'client-home-'));
  return new SshConnectionPool({
    hostKeyPrompt: { confirmUnknownKey: () => Promise.resolve(false), offerRemoveChangedKey: () => Promise.resolve(false) },
    settings: () => ({ identityFile: hosts.privateKeyPath, knownHostsFile: 'extension', rememberPassphrases: false }),
    extensionKnownHostsFile: hosts.knownHostsPath,
    log: silentLogger,
    sshConfigFile: path.join(home, 'no-ssh-config'),
    local: { user: os.userInfo().username, home, agentSocket: undefined, env: {} },
    keepaliveIntervalMs: 1000,
    keepaliveCountMax: 3,
    reconnect: { retries: 2, initialDelayMs: 200, maxDelayMs: 1000 },
  });
}

/**
 * A JobHost for a simulated VM over the SSH layer's pooled connection. Its workspace sync is `sync`;
 * by default none, for tests that put the workspace in place themselves (putWorkspaceFiles).
 */
export function sandboxJobHost(
  hosts: SimulatedHosts,
  name: string,
  pool: SshConnectionPool,
  sync: SshWorkspaceSync = () => Promise.resolve(),
): SshJobHost {
  const host = hosts.host(name);
  return sshJobHost(
    pool,
    { kind: 'ssh', id: `${hosts.user}@${host.address}`, label: name },
    { host: host.address, port: host.port, user: hosts.user, label: name },
    sync,
  );
}

/** Copies files into a host's synced workspace (a stand-in for the sync step). */
export function putWorkspaceFiles(hosts: SimulatedHosts, name: string, workspaceId: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(hosts.host(name).homeDir, workspaceDir(workspaceId), file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  // The VM's user must own what it writes next to (outputs/ under the workspace).
  const home = hosts.host(name).homeDir;
  const { uid, gid } = fs.statSync(home);
  const chown = (p: string): void => {
    fs.chownSync(p, uid, gid);
    if (fs.statSync(p).isDirectory()) for (const child of fs.readdirSync(p)) chown(path.join(p, child));
  };
  chown(path.join(home, '.azure-pytorch'));
}
