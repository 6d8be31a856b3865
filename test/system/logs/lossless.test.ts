import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogFollower, type FollowerState } from '../../../src/logs/logFollower';
import { startSimulatedHosts, type SimulatedHosts } from '../../sandbox/hosts';
import { randomLoopbackPrefix } from '../../sandbox/hosts/loopback';
import { runOverSsh } from '../../sandbox/hosts/ssh-command';
import { ssh2RunnerProvider } from './ssh2TestRunner';

// Writes numbered lines of varied length (some non-ASCII, some written in two halves with a pause,
// so reconnects fall inside lines), then its exit code, like a job of the jobs layer.
const writer = String.raw`
import os, random, sys, time
random.seed(7)
out = sys.stdout.buffer
for i in range(LINES):
    line = ("%06d " % i + "é✓x" * random.randint(0, 12) + "-" * random.randint(0, 60) + "\n").encode()
    if i % 97 == 0:
        cut = random.randint(1, len(line) - 1)
        out.write(line[:cut]); out.flush(); time.sleep(0.02)
        out.write(line[cut:])
    else:
        out.write(line)
    if i % 20 == 0:
        out.flush(); time.sleep(0.015)
out.flush()
`;

describe('LogFollower over SSH', function () {
  this.timeout(180_000);
  let hosts: SimulatedHosts;
  const name = 'follow-node0';

  before(async () => {
    hosts = await startSimulatedHosts([{ name, address: `${randomLoopbackPrefix()}2` }], {
      stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'follow-test-')),
    });
  });

  after(async () => {
    await hosts?.dispose();
  });

  async function ssh(command: string): Promise<string> {
    const result = await runOverSsh(hosts, name, command);
    assert.equal(result.code, 0, `${command}: ${result.stderr}`);
    return result.stdout;
  }

  async function startJob(dir: string, lines: number, exitCode: number): Promise<void> {
    await runOverSsh(hosts, name, `mkdir -p ${dir} && cat > ${dir}/writer.py`, { input: writer.replace('LINES', String(lines)) });
    await runOverSsh(hosts, name, `cat > ${dir}/run.sh && chmod +x ${dir}/run.sh`, {
      input:
        '#!/bin/sh\ndate +%s > started\n/usr/bin/python3 -u writer.py\n' +
        `echo ${exitCode} > exit-code.tmp && mv exit-code.tmp exit-code\ndate +%s > ended\n`,
    });
    await ssh(`cd ${dir} || exit 1; setsid nohup ./run.sh > node-0.log 2>&1 < /dev/null & echo $! > ${dir}/pid`);
  }

  function target(dir: string) {
    return {
      logPath: `${dir}/node-0.log`,
      pidPath: `${dir}/pid`,
      exitCodePath: `${dir}/exit-code`,
      startedPath: `${dir}/started`,
      endedPath: `${dir}/ended`,
    };
  }

  it('delivers the remote file byte for byte through 20+ killed connections', async () => {
    const home = (await ssh('echo $HOME')).trim();
    const dir = `${home}/.azure-pytorch/jobs/lossless`;
    await startJob(dir, 20_000, 0);
    const connection = ssh2RunnerProvider(hosts, name);
    const received: Buffer[] = [];
    const states: FollowerState[] = [];
    let expectedOffset = 0;
    const follower = new LogFollower(
      connection.provider,
      target(dir),
      0,
      {
        onData(chunk, offset) {
          assert.equal(offset, expectedOffset, 'chunks arrive in order without gaps');
          expectedOffset += chunk.length;
          received.push(Buffer.from(chunk));
        },
        onState: (state) => states.push(state),
      },
      { firstRetryDelayMs: 50, maxRetryDelayMs: 500 },
    );
    const done = follower.run();
    let finished = false;
    void done.finally(() => (finished = true));
    let kills = 0;
    // Bounded, so that a test that runs out of time stops cutting the connections of the next ones.
    const stopKillingAt = Date.now() + 120_000;
    while (!finished && Date.now() < stopKillingAt) {
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 350));
      if (finished) break;
      await hosts.killConnections(name);
      kills++;
    }
    await done;
    connection.dispose();
    const remote = await runOverSsh(hosts, name, `cat ${dir}/node-0.log | base64 -w0`);
    const expected = Buffer.from(remote.stdout, 'base64');
    const actual = Buffer.concat(received);
    assert.ok(kills >= 20, `only ${kills} disconnects`);
    assert.ok(states.filter((state) => state.kind === 'reconnecting').length >= 20, 'the follower reconnected after each kill');
    assert.equal(expected.toString('latin1').split('\n').length, 20_001);
    assert.equal(actual.length, expected.length, 'same length');
    assert.ok(actual.equals(expected), 'same bytes');
    const end = states.at(-1);
    assert.equal(end?.kind, 'ended');
    assert.equal(end.kind === 'ended' && end.outcome.exitCode, 0);
    assert.ok(end.kind === 'ended' && end.outcome.startedAt! <= end.outcome.endedAt!);
  });

  it('reads a finished job from an offset and reports its exit code', async () => {
    const home = (await ssh('echo $HOME')).trim();
    const dir = `${home}/.azure-pytorch/jobs/finished`;
    await startJob(dir, 50, 7);
    await ssh(`while [ ! -e ${dir}/exit-code ]; do sleep 0.1; done`);
    const whole = Buffer.from((await runOverSsh(hosts, name, `base64 -w0 < ${dir}/node-0.log`)).stdout, 'base64');
    const connection = ssh2RunnerProvider(hosts, name);
    const chunks: Buffer[] = [];
    let ended: FollowerState | undefined;
    const follower = new LogFollower(connection.provider, target(dir), 100, {
      onData: (chunk) => chunks.push(Buffer.from(chunk)),
      onState: (state) => (ended = state),
    });
    await follower.run();
    connection.dispose();
    assert.ok(Buffer.concat(chunks).equals(whole.subarray(100)));
    assert.deepEqual(ended?.kind === 'ended' && ended.outcome.exitCode, 7);
    assert.equal(follower.offset, whole.length);
  });

  it('stops with a failure when the job ended without a log', async () => {
    const home = (await ssh('echo $HOME')).trim();
    const dir = `${home}/.azure-pytorch/jobs/nolog`;
    await ssh(`mkdir -p ${dir} && echo 1 > ${dir}/exit-code`);
    const connection = ssh2RunnerProvider(hosts, name);
    const states: FollowerState[] = [];
    await new LogFollower(
      connection.provider,
      target(dir),
      0,
      { onData() {}, onState: (s) => states.push(s) },
      { firstRetryDelayMs: 10 },
    ).run();
    connection.dispose();
    assert.equal(states.at(-1)?.kind, 'failed');
  });
});
