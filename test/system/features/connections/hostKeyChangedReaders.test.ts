import * as assert from 'assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineRef } from '../../../../src/common/machine';
import { BackgroundHostKeyPolicy } from '../../../../src/features/connections/backgroundHostKeyPolicy';
import { poolCommandRunner } from '../../../../src/features/connections/poolCommandRunner';
import { GpuTelemetryPoller } from '../../../../src/logs/gpuTelemetryPoller';
import { LogFollower } from '../../../../src/logs/logFollower';
import type { GpuTelemetry } from '../../../../src/logs/nvidiaSmi';
import type { SshConnectionPool } from '../../../../src/ssh/connectionPool';
import type { ChangedHostKey, HostKeyPrompt } from '../../../../src/ssh/credentials';
import { HostKeyChangedError } from '../../../../src/ssh/errors';
import { ScriptedHostKeyPrompt, startTestHosts, type TestHosts } from '../../ssh/testHosts';

/** The attempts at which the figures are taken: each reader retries several times before. */
const ATTEMPTS = 24;

/**
 * The scenario: a job's log panel (its log follower and its GPU telemetry) and the Clusters
 * view's GPU poller, all reading a host whose key has changed; retries are fast here, slow in use.
 */
function startReaders(pool: SshConnectionPool, target: { host: string; port: number; user: string }) {
  const machine: MachineRef = { kind: 'ssh', id: `${target.user}@${target.host}`, label: 'lab-changed' };
  const connect = (): Promise<ReturnType<typeof poolCommandRunner>> => Promise.resolve(poolCommandRunner(pool, target));
  const readings: GpuTelemetry[] = [];
  const readingListeners = new Set<() => void>();
  const follower = new LogFollower(
    connect,
    { logPath: 'job/node-0.log', pidPath: 'job/node-0.pid', exitCodePath: 'job/node-0.exit-code' },
    0,
    { onData: () => undefined, onState: () => undefined },
    { firstRetryDelayMs: 20, maxRetryDelayMs: 80 },
  );
  void follower.run();
  const pollers = [0, 1].map(
    () =>
      new GpuTelemetryPoller({
        machines: () => [machine],
        connect,
        onReading: (_, reading) => {
          readings.push(reading);
          for (const listener of readingListeners) listener();
        },
        intervalMs: () => 50,
      }),
  );
  for (const poller of pollers) poller.wake();
  return {
    readings,
    /** Resolves at the first reading from index `from` on that passes `check`. */
    readingThat(from: number, check: (reading: GpuTelemetry) => boolean): Promise<GpuTelemetry> {
      return new Promise((resolve) => {
        const listener = (): void => {
          const found = readings.slice(from).find(check);
          if (!found) return;
          readingListeners.delete(listener);
          resolve(found);
        };
        readingListeners.add(listener);
        listener();
      });
    },
    dispose() {
      follower.dispose();
      for (const poller of pollers) poller.dispose();
    },
  };
}

/** Counts the changed-key attempts a prompt sees, and resolves once there were `count`. */
function countingAttempts(prompt: HostKeyPrompt, count: number) {
  let attempts = 0;
  let reached!: () => void;
  const done = new Promise<void>((resolve) => (reached = resolve));
  const counted: HostKeyPrompt = {
    confirmUnknownKey: (key) => prompt.confirmUnknownKey(key),
    offerRemoveChangedKey: (key) => {
      if (++attempts === count) reached();
      return prompt.offerRemoveChangedKey(key);
    },
  };
  return { counted, done, attempts: () => attempts };
}

describe('Automatic readers meeting a changed host key (against a simulated host)', function () {
  this.timeout(90_000);
  let test: TestHosts;
  let knownHosts: string;
  let target: { host: string; port: number; user: string };

  before(async () => {
    test = await startTestHosts(['lab-changed']);
    const host = test.hosts.host('lab-changed');
    target = { host: host.address, port: host.port, user: test.hosts.user };
    knownHosts = path.join(test.home, '.ssh', 'known_hosts');
  });
  after(async () => {
    await test?.dispose();
  });

  beforeEach(() => {
    // The VM was recreated: known_hosts holds a key the host no longer has.
    const fake = path.join(test.home, `fake-${Date.now()}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', fake]);
    const typeAndKey = fs.readFileSync(`${fake}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const name = target.port === 22 ? target.host : `[${target.host}]:${target.port}`;
    fs.writeFileSync(knownHosts, `${name} ${typeAndKey}\n`);
  });

  it("the readers' view shares the pool's connections, and a user's own command still gets the dialog", async () => {
    const user = new ScriptedHostKeyPrompt(false, false);
    const pool = test.pool({ hostKeyPrompt: user });
    const background = pool.withHostKeyPrompt(
      new BackgroundHostKeyPolicy({ changed: () => new Promise(() => undefined), unknown: () => new Promise(() => undefined) }),
    );
    // Both at once: the user's command must not inherit the readers' silent refusal.
    const [read, command] = await Promise.allSettled([background.execText(target, ['true']), pool.execText(target, ['true'])]);
    assert.ok(read.status === 'rejected' && read.reason instanceof HostKeyChangedError, String(read.status));
    assert.ok(command.status === 'rejected' && command.reason instanceof HostKeyChangedError, String(command.status));
    assert.strictEqual(user.changedShown.length, 1, "the user's command asked");

    user.removeChanged = true;
    user.acceptUnknown = true;
    const connection = await pool.connection(target);
    assert.strictEqual(await background.connection(target), connection, 'one connection per host');
    assert.strictEqual(user.changedShown.length, 2);
  });

  it('before: readers on the prompting pool show a modal at every attempt', async () => {
    const user = new ScriptedHostKeyPrompt(false, false); // answers No each time
    const { counted, done, attempts } = countingAttempts(user, ATTEMPTS);
    const readers = startReaders(test.pool({ hostKeyPrompt: counted }), target);
    try {
      await done;
    } finally {
      readers.dispose();
    }
    assert.ok(attempts() >= ATTEMPTS);
    assert.strictEqual(user.changedShown.length, attempts(), 'one "host key has CHANGED" modal per attempt');
    console.log(`      before: ${user.changedShown.length} modal dialogs in ${attempts()} connection attempts`);
  });

  it('after: the no-prompt policy refuses every attempt, notifies once with both fingerprints, and acting on it lets them read', async () => {
    const user = new ScriptedHostKeyPrompt(false, false);
    const notified: Array<{ key: ChangedHostKey; answer: (acted: boolean) => void }> = [];
    const policy = new BackgroundHostKeyPolicy({
      changed: (key) => new Promise((answer) => notified.push({ key, answer })),
      unknown: () => assert.fail('the key is not unknown'),
    });
    const { counted, done, attempts } = countingAttempts(policy, ATTEMPTS);
    const pool = test.pool({ hostKeyPrompt: user });
    const readers = startReaders(pool.withHostKeyPrompt(counted), target);
    try {
      await done;
      assert.strictEqual(user.changedShown.length + user.unknownAsked.length, 0, 'no modal dialog');
      assert.strictEqual(notified.length, 1, 'one notification');
      console.log(`      after: 0 modal dialogs and ${notified.length} notification in ${attempts()} connection attempts`);
      const { key } = notified[0];
      assert.strictEqual(key.fingerprint, test.hosts.host('lab-changed').hostKeyFingerprint);
      assert.strictEqual(key.oldFingerprints.length, 1);
      assert.notStrictEqual(key.oldFingerprints[0], key.fingerprint);
      assert.ok(
        readers.readings.every((reading) => reading.kind === 'unavailable' && /has changed/.test(reading.reason)),
        'every reading so far refused for the changed key',
      );

      // The user chooses "Remove the Old Entry…" and trusts the new key.
      await key.replaceRecordedKey();
      notified[0].answer(true);
      const read = await readers.readingThat(readers.readings.length, (reading) => !/host key/i.test(JSON.stringify(reading)));
      // The simulated host has no GPU: its nvidia-smi answers as the real one does without devices.
      assert.deepStrictEqual({ ...read, time: 0 }, { kind: 'unavailable', reason: 'No devices were found', time: 0 });
      assert.match(
        fs.readFileSync(knownHosts, 'utf8'),
        new RegExp(test.hosts.host('lab-changed').knownHostsLine.split(' ')[2].replace(/[+/]/g, '\\$&')),
      );
      assert.strictEqual(notified.length, 1);
      assert.strictEqual(user.changedShown.length + user.unknownAsked.length, 0);
    } finally {
      readers.dispose();
    }
  });
});
