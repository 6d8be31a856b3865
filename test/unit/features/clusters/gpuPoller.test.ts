import * as assert from 'assert';
import { machineKey, type MachineRef } from '../../../../src/common/machine';
import type { JobRecord } from '../../../../src/jobs/jobStore';
import type { GpuTelemetry } from '../../../../src/logs/nvidiaSmi';
import type { RemoteCommandRunner } from '../../../../src/logs/remoteCommandRunner';
import { ClusterGpuPoller, runningJobMachines } from '../../../../src/features/clusters/gpuPoller';

function job(id: string, state: JobRecord['state'], targets: Array<[kind: 'vm' | 'ssh', id: string]>): JobRecord {
  return {
    spec: {
      id,
      script: 'train.py',
      args: [],
      env: {},
      nodes: targets.map(([kind, target]) => ({ target: { kind, id: target, label: target }, address: '127.0.0.2' })),
      nprocPerNode: 1,
      python: 'python3',
      setup: [],
      syncExclude: [],
      outputs: 'outputs',
      workspaceFolder: 'file:///w',
      workspaceId: 'w',
      createdAt: '2026-01-01T00:00:00Z',
    },
    state,
    startedAt: 0,
  };
}

class FakeJobs {
  records: JobRecord[] = [];
  private listener?: () => void;
  active(): JobRecord[] {
    return this.records.filter((r) => r.state.kind === 'running' || r.state.kind === 'preparing');
  }
  onDidChange(listener: () => void): { dispose(): void } {
    this.listener = listener;
    return { dispose: () => (this.listener = undefined) };
  }
  set(records: JobRecord[]): void {
    this.records = records;
    this.listener?.();
  }
}

/** A runner whose nvidia-smi answers after `delayMs`, counting how many run at once. */
function fakeRunners(delayMs: number) {
  const stats = { running: 0, maxRunning: 0, started: [] as string[] };
  const connect = (machine: MachineRef): Promise<RemoteCommandRunner> =>
    Promise.resolve({
      start(argv, handlers) {
        stats.started.push(machineKey(machine));
        stats.running++;
        stats.maxRunning = Math.max(stats.maxRunning, stats.running);
        const result = new Promise<{ exitCode: number }>((resolve) =>
          setTimeout(() => {
            handlers.onStdout(Buffer.from(`0, Tesla T4, 50, 1024, 15360\n`));
            stats.running--;
            resolve({ exitCode: 0 });
          }, delayMs),
        );
        assert.strictEqual(argv[0], 'nvidia-smi');
        return { result, cancel: () => undefined };
      },
    });
  return { stats, connect };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(what);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Clusters GPU poller', () => {
  it('names the machines of running jobs once each, VM ids without case', () => {
    const records = [
      job('a', { kind: 'running' }, [
        ['vm', '/sub/vm1'],
        ['vm', '/sub/vm2'],
      ]),
      job('b', { kind: 'running' }, [
        ['vm', '/SUB/VM1'],
        ['ssh', 'lab-gpu'],
      ]),
      job('c', { kind: 'preparing' }, [['vm', '/sub/vm3']]),
      job('d', { kind: 'succeeded' }, [['vm', '/sub/vm4']]),
    ];
    assert.deepStrictEqual(runningJobMachines(records), [
      { kind: 'vm', id: '/sub/vm1', label: '/sub/vm1' },
      { kind: 'vm', id: '/sub/vm2', label: '/sub/vm2' },
      { kind: 'ssh', id: 'lab-gpu', label: 'lab-gpu' },
    ]);
  });

  it('reads the running jobs’ machines a few at a time, skips those read recently, and goes idle when jobs end', async () => {
    const jobs = new FakeJobs();
    const readings = new Map<string, GpuTelemetry>();
    const sink = {
      record: (machine: MachineRef, reading: GpuTelemetry) => readings.set(machineKey(machine), reading),
      lastReadAt: (machine: MachineRef) => readings.get(machineKey(machine))?.time,
      retainOnly: (machines: readonly MachineRef[]) => {
        const kept = machines.map(machineKey);
        [...readings.keys()].filter((key) => !kept.includes(key)).forEach((key) => readings.delete(key));
      },
    };
    // An open log panel read this one just now.
    readings.set('vm:/sub/vm5', { kind: 'ok', gpus: [], time: Date.now() });
    const { stats, connect } = fakeRunners(30);
    const poller = new ClusterGpuPoller({ sink, jobs, connect, intervalMs: () => 60_000, concurrency: 2 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.strictEqual(stats.started.length, 0, 'nothing polled while no job runs');
      jobs.set([
        job(
          'a',
          { kind: 'running' },
          [1, 2, 3, 4, 5].map((n): ['vm', string] => ['vm', `/sub/vm${n}`]),
        ),
      ]);
      await until(
        () => readings.size === 5 && [1, 2, 3, 4].every((n) => readings.get(`vm:/sub/vm${n}`)?.kind === 'ok'),
        'every machine was read',
      );
      assert.deepStrictEqual([...stats.started].sort(), ['vm:/sub/vm1', 'vm:/sub/vm2', 'vm:/sub/vm3', 'vm:/sub/vm4']);
      assert.strictEqual(stats.maxRunning, 2, 'at most two nvidia-smi at once');
      assert.deepStrictEqual(readings.get('vm:/sub/vm1'), {
        kind: 'ok',
        gpus: [{ index: 0, name: 'Tesla T4', utilization: 50, memoryUsedMiB: 1024, memoryTotalMiB: 15360 }],
        time: readings.get('vm:/sub/vm1')!.time,
      });
      // The job ends on every machine but vm2: the others' loads are forgotten at once.
      jobs.set([job('b', { kind: 'running' }, [['vm', '/sub/vm2']])]);
      assert.deepStrictEqual([...readings.keys()], ['vm:/sub/vm2']);
    } finally {
      poller.dispose();
    }
  });

  it('records "unavailable" with the reason when a machine cannot be reached, and polls again each interval', async () => {
    const jobs = new FakeJobs();
    jobs.records = [job('a', { kind: 'running' }, [['vm', '/sub/gone']])];
    const readings: GpuTelemetry[] = [];
    const sink = {
      record: (_machine: MachineRef, reading: GpuTelemetry) => readings.push(reading),
      lastReadAt: () => readings.at(-1)?.time,
      retainOnly: () => undefined,
    };
    const connect = (): Promise<RemoteCommandRunner> => Promise.reject(new Error('gpu-gone is deallocated: start it first.'));
    const poller = new ClusterGpuPoller({ sink, jobs, connect, intervalMs: () => 20 });
    try {
      await until(() => readings.length >= 3, 'read again after the interval');
      assert.deepStrictEqual(
        { ...readings[0], time: 0 },
        { kind: 'unavailable', reason: 'cannot reach the machine (gpu-gone is deallocated: start it first.)', time: 0 },
      );
      jobs.set([]);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const after = readings.length;
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.strictEqual(readings.length, after, 'no polling once no job runs');
    } finally {
      poller.dispose();
    }
  });
});
