import * as assert from 'assert';
import { MachineStoppedError, type ExecResult, type JobHost } from '../../../src/jobs/jobHost';
import { JobMonitor } from '../../../src/jobs/jobMonitor';
import type { JobRecord } from '../../../src/jobs/jobStore';
import { JobStore } from '../../../src/jobs/jobStore';
import { jobSpec } from './fixtures';

class MemoryStorage {
  private readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

/** A host whose job folder says what `probe` says, or that cannot be reached while `down`. */
class FakeHost implements JobHost {
  readonly machine = { kind: 'vm' as const, id: 'vm', label: 'vm' };
  readonly address = '127.0.0.2';
  probe = 'pid=5\nstarted=100\nrunning=101\nalive=1\n';
  down = false;
  async exec(argv: readonly string[]): Promise<ExecResult> {
    if (this.down) throw new Error('connection refused');
    if (argv.join(' ').includes('kill -0 "$pid"') && argv.join(' ').includes('sleep 0.2')) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // the remote wait
      return { stdout: '', stderr: '', exitCode: 0 };
    }
    return { stdout: this.probe, stderr: '', exitCode: 0 };
  }
  syncWorkspace(): Promise<void> {
    return Promise.reject(new Error('the monitor never syncs'));
  }
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('job monitor', () => {
  it('re-attaches to an active job from the store, keeps its state while the VM is unreachable, then records the end once', async () => {
    const store = new JobStore(new MemoryStorage());
    await store.add({ spec: jobSpec({ id: 'j1' }), state: { kind: 'preparing' }, startedAt: 5 });
    const host = new FakeHost();
    host.down = true;
    const ended: JobRecord[] = [];
    const unreachable: unknown[] = [];
    const monitor = new JobMonitor(store, {
      connect: () => Promise.resolve(host),
      onEnded: (r) => ended.push(r),
      onUnreachable: (_r, e) => unreachable.push(e),
      maxRetryDelayMs: 20,
    });
    try {
      monitor.watchActive();
      await until(() => unreachable.length >= 2);
      assert.strictEqual(store.get('j1')?.state.kind, 'preparing', 'an unreachable VM does not change the state');
      host.down = false;
      await until(() => store.get('j1')?.state.kind === 'running');
      assert.strictEqual(store.get('j1')?.startedAt, 100_000, 'the start time comes from the VM');
      host.probe = 'pid=5\nstarted=100\nrunning=101\nended=160\nexit-code=0\n';
      await until(() => ended.length === 1);
      assert.deepStrictEqual(store.get('j1')?.state, { kind: 'succeeded' });
      assert.strictEqual(store.get('j1')?.endedAt, 160_000);
      await until(() => !monitor.isWatching('j1'));
      assert.strictEqual(ended.length, 1);
    } finally {
      monitor.dispose();
    }
  });

  it('records a job whose VM was stopped as lost, at once', async () => {
    const store = new JobStore(new MemoryStorage());
    await store.add({ spec: jobSpec({ id: 'j2' }), state: { kind: 'running' }, startedAt: 5 });
    const ended: JobRecord[] = [];
    const monitor = new JobMonitor(store, {
      connect: async () => Promise.reject(new MachineStoppedError('gpu-1 is deallocated')),
      onEnded: (r) => ended.push(r),
    });
    monitor.watchActive();
    await until(() => ended.length === 1);
    assert.deepStrictEqual(store.get('j2')?.state, { kind: 'lost' });
    monitor.dispose();
  });

  it('looks twice before recording a job as lost: a probe caught between two of its steps does not end it', async () => {
    const store = new JobStore(new MemoryStorage());
    await store.add({ spec: jobSpec({ id: 'j3' }), state: { kind: 'preparing' }, startedAt: 5 });
    const host = new FakeHost();
    host.probe = 'started=100\n'; // no live PID for a moment
    const ended: JobRecord[] = [];
    const monitor = new JobMonitor(store, { connect: () => Promise.resolve(host), onEnded: (r) => ended.push(r), lostRecheckMs: 50 });
    try {
      monitor.watchActive();
      await new Promise((resolve) => setTimeout(resolve, 20));
      host.probe = 'pid=5\nstarted=100\nrunning=101\nalive=1\n';
      await until(() => store.get('j3')?.state.kind === 'running');
      assert.strictEqual(ended.length, 0);
      host.probe = 'started=100\n'; // now it is gone for good: no PID alive, no exit code
      await until(() => ended.length === 1);
      assert.deepStrictEqual(store.get('j3')?.state, { kind: 'lost' });
    } finally {
      monitor.dispose();
    }
  });

  it('does not watch finished jobs', async () => {
    const store = new JobStore(new MemoryStorage());
    await store.add({ spec: jobSpec({ id: 'done' }), state: { kind: 'succeeded' }, startedAt: 5 });
    const monitor = new JobMonitor(store, {
      connect: () => Promise.reject(new assert.AssertionError({ message: 'connected for a finished job' })),
      onEnded: () => assert.fail('ended again'),
    });
    monitor.watchActive();
    assert.strictEqual(monitor.isWatching('done'), false);
    monitor.dispose();
  });
});
