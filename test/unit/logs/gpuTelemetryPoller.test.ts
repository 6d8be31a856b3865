import * as assert from 'assert';
import { machineKey, sshMachine, type MachineRef } from '../../../src/common/machine';
import { GpuTelemetryPoller, readGpuTelemetry } from '../../../src/logs/gpuTelemetryPoller';
import type { GpuTelemetry } from '../../../src/logs/nvidiaSmi';
import type { RemoteCommandResult, RemoteCommandRunner } from '../../../src/logs/remoteCommandRunner';

const T4 = '0, Tesla T4, 50, 1024, 15360\n';

/** A runner whose nvidia-smi prints `stdout` after `delayMs` (never, when undefined), until cancelled. */
function fakeRunner(delayMs: number | undefined, stdout = T4) {
  const stats = { started: 0, cancelled: 0, running: 0, maxRunning: 0 };
  const runner: RemoteCommandRunner = {
    start(argv, handlers) {
      assert.strictEqual(argv[0], 'nvidia-smi');
      stats.started++;
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      let settle: (result: RemoteCommandResult) => void = () => undefined;
      const result = new Promise<RemoteCommandResult>((resolve) => {
        settle = (value) => {
          stats.running--;
          settle = () => undefined;
          resolve(value);
        };
      });
      if (delayMs !== undefined)
        setTimeout(() => {
          handlers.onStdout(Buffer.from(stdout));
          settle({ exitCode: 0 });
        }, delayMs);
      return {
        result,
        cancel: () => {
          stats.cancelled++;
          settle({ exitCode: null, signal: 'TERM' });
        },
      };
    },
  };
  return { runner, stats };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(what);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('readGpuTelemetry', () => {
  it('reads the GPUs nvidia-smi prints, timed', async () => {
    const { runner } = fakeRunner(1);
    assert.deepStrictEqual(await readGpuTelemetry(runner, { timeoutMs: 1000, now: () => 42 }), {
      kind: 'ok',
      gpus: [{ index: 0, name: 'Tesla T4', utilization: 50, memoryUsedMiB: 1024, memoryTotalMiB: 15360 }],
      time: 42,
    });
  });

  it('cancels an nvidia-smi that does not answer in time and says so', async () => {
    const { runner, stats } = fakeRunner(undefined);
    const reading = await readGpuTelemetry(runner, { timeoutMs: 30, now: () => 7 });
    assert.deepStrictEqual(reading, { kind: 'unavailable', reason: 'nvidia-smi did not answer within 0 s', time: 7 });
    assert.strictEqual(stats.cancelled, 1);
  });

  it('cancels the command when the signal aborts', async () => {
    const { runner, stats } = fakeRunner(undefined);
    const controller = new AbortController();
    const reading = readGpuTelemetry(runner, { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    assert.strictEqual((await reading).kind, 'unavailable');
    assert.strictEqual(stats.cancelled, 1);
  });
});

describe('GpuTelemetryPoller', () => {
  const lab = sshMachine('lab');

  it('reads its machines every interval, a reading at a time per machine, until disposed', async () => {
    const { runner, stats } = fakeRunner(1);
    const readings: Array<[MachineRef, GpuTelemetry]> = [];
    const poller = new GpuTelemetryPoller({
      machines: () => [lab],
      connect: () => Promise.resolve(runner),
      onReading: (machine, reading) => readings.push([machine, reading]),
      intervalMs: () => 20,
    });
    try {
      await sleep(30);
      assert.strictEqual(stats.started, 0, 'nothing read before wake()');
      poller.wake();
      poller.wake();
      await until(() => readings.length >= 3, 'read again each interval');
      assert.strictEqual(stats.maxRunning, 1);
      assert.deepStrictEqual(readings[0][0], lab, 'the reading names its machine, label and all');
      assert.strictEqual(readings[0][1].kind, 'ok');
    } finally {
      poller.dispose();
    }
    const after = readings.length;
    await sleep(60);
    assert.strictEqual(readings.length, after, 'no reading after dispose');
  });

  it('cancels the nvidia-smi under way when disposed, and reports nothing of it', async () => {
    const { runner, stats } = fakeRunner(undefined);
    const readings: GpuTelemetry[] = [];
    const poller = new GpuTelemetryPoller({
      machines: () => [lab],
      connect: () => Promise.resolve(runner),
      onReading: (_machine, reading) => readings.push(reading),
      intervalMs: () => 20,
    });
    poller.wake();
    await until(() => stats.started === 1, 'nvidia-smi started');
    poller.dispose();
    assert.strictEqual(stats.cancelled, 1);
    await sleep(20);
    assert.deepStrictEqual(readings, []);
  });

  it('reads a few machines at a time, skips one read recently elsewhere, and idles with none to read', async () => {
    const { runner, stats } = fakeRunner(20);
    const machines = [1, 2, 3, 4, 5].map((n) => sshMachine(`gpu${n}`));
    let wanted: MachineRef[] = [];
    const readings = new Map<string, GpuTelemetry>();
    // Read a moment ago by someone else (an open log panel, say).
    const elsewhere = new Map([[machineKey(machines[4]), Date.now()]]);
    const poller = new GpuTelemetryPoller({
      machines: () => wanted,
      connect: () => Promise.resolve(runner),
      onReading: (machine, reading) => readings.set(machineKey(machine), reading),
      intervalMs: () => 60_000,
      lastReadAt: (machine) => elsewhere.get(machineKey(machine)),
      concurrency: 2,
    });
    try {
      poller.wake();
      await sleep(30);
      assert.strictEqual(stats.started, 0, 'idle while there is no machine to read');
      wanted = machines;
      poller.wake();
      await until(() => readings.size === 4, 'every machine due was read');
      assert.deepStrictEqual([...readings.keys()].sort(), ['ssh:gpu1', 'ssh:gpu2', 'ssh:gpu3', 'ssh:gpu4']);
      assert.strictEqual(stats.maxRunning, 2, 'at most two nvidia-smi at once');
    } finally {
      poller.dispose();
    }
  });

  it('records a machine it cannot reach as unavailable, with the reason', async () => {
    const readings: GpuTelemetry[] = [];
    const poller = new GpuTelemetryPoller({
      machines: () => [lab],
      connect: () => Promise.reject(new Error('lab is deallocated: start it first.')),
      onReading: (_machine, reading) => readings.push(reading),
      intervalMs: () => 10,
      now: () => 5,
    });
    try {
      poller.wake();
      await until(() => readings.length >= 2, 'tried again after the interval');
      assert.deepStrictEqual(readings[0], {
        kind: 'unavailable',
        reason: 'cannot reach the machine (lab is deallocated: start it first.)',
        time: 5,
      });
    } finally {
      poller.dispose();
    }
  });
});
