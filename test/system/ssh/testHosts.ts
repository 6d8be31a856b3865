import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/common/logger';
import { SshConnectionPool, type SshConnectionPoolOptions } from '../../../src/ssh/connectionPool';
import type { ChangedHostKey, HostKeyPrompt, UnknownHostKey } from '../../../src/ssh/credentials';
import { startSimulatedHosts, type HostSpec, type SimulatedHosts } from '../../sandbox/hosts';
import { randomLoopbackPrefix } from '../../sandbox/hosts/loopback';

/** A scripted user for host key questions, recording what was asked. */
export class ScriptedHostKeyPrompt implements HostKeyPrompt {
  readonly unknownAsked: UnknownHostKey[] = [];
  readonly changedShown: ChangedHostKey[] = [];
  constructor(
    public acceptUnknown: boolean,
    public removeChanged = false,
  ) {}
  confirmUnknownKey(key: UnknownHostKey): Promise<boolean> {
    this.unknownAsked.push(key);
    return Promise.resolve(this.acceptUnknown);
  }
  offerRemoveChangedKey(key: ChangedHostKey): Promise<boolean> {
    this.changedShown.push(key);
    return Promise.resolve(this.removeChanged);
  }
}

/** Simulated hosts plus a private local "home" (its own ~/.ssh) for the client side. */
export interface TestHosts {
  readonly hosts: SimulatedHosts;
  /** The client's home: .ssh/config, .ssh/known_hosts and keys live here, never in the real one. */
  readonly home: string;
  readonly extensionKnownHosts: string;
  pool(overrides?: Partial<SshConnectionPoolOptions>): SshConnectionPool;
  dispose(): Promise<void>;
}

/** Starts hosts on a random loopback range, so suites running at once on one machine do not collide. */
export async function startTestHosts(names: readonly string[]): Promise<TestHosts> {
  const prefix = randomLoopbackPrefix();
  const specs: HostSpec[] = names.map((name, index) => ({ name, address: `${prefix}${index + 2}` }));
  const hosts = await startSimulatedHosts(specs, { stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-test-hosts-')) });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-test-home-'));
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  const extensionKnownHosts = path.join(home, 'extension', 'known_hosts');
  const pools: SshConnectionPool[] = [];
  return {
    hosts,
    home,
    extensionKnownHosts,
    pool(overrides = {}) {
      const pool = new SshConnectionPool({
        hostKeyPrompt: new ScriptedHostKeyPrompt(false),
        settings: () => ({ identityFile: hosts.privateKeyPath, knownHostsFile: 'user', rememberPassphrases: false }),
        extensionKnownHostsFile: extensionKnownHosts,
        log: silentLogger,
        local: { user: 'tester', home, agentSocket: undefined, env: {} },
        keepaliveIntervalMs: 1000,
        keepaliveCountMax: 3,
        reconnect: { retries: 2, initialDelayMs: 200, maxDelayMs: 1000 },
        ...overrides,
      });
      pools.push(pool);
      return pool;
    },
    async dispose() {
      for (const pool of pools) pool.dispose();
      await hosts.dispose();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Trusts the simulated hosts' keys as OpenSSH would after `ssh-keyscan`: copies their known_hosts. */
export function trustHostKeys(test: TestHosts): void {
  fs.copyFileSync(test.hosts.knownHostsPath, path.join(test.home, '.ssh', 'known_hosts'));
}
