import * as assert from 'assert';
import type { JobState } from '../../../src/jobs/jobState';
import { JobStore, type JobRecord, type KeyValueStorage } from '../../../src/jobs/jobStore';
import { parseJson } from '../../json';
import { jobSpec } from './fixtures';

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, unknown>();
  get(key: string): unknown {
    // A real Memento hands out copies: so does this one, so that the store cannot rely on aliasing.
    const value = this.map.get(key);
    return value === undefined ? undefined : parseJson(JSON.stringify(value));
  }
  update(key: string, value: unknown): Promise<void> {
    this.map.set(key, parseJson(JSON.stringify(value)));
    return Promise.resolve();
  }
}

const record = (id: string, state: JobState = { kind: 'succeeded' }): JobRecord => ({ spec: jobSpec({ id }), state, startedAt: 1 });

describe('job store', () => {
  it('keeps jobs newest first across instances (a window reload)', async () => {
    const storage = new MapStorage();
    const store = new JobStore(storage);
    await store.add(record('a'));
    await store.add(record('b', { kind: 'running' }));
    const reloaded = new JobStore(storage);
    assert.deepStrictEqual(
      reloaded.all().map((r) => r.spec.id),
      ['b', 'a'],
    );
    assert.deepStrictEqual(
      reloaded.active().map((r) => r.spec.id),
      ['b'],
    );
  });

  it('updates and removes jobs, telling listeners each time', async () => {
    const store = new JobStore(new MapStorage());
    let changes = 0;
    store.onDidChange(() => changes++);
    await store.add(record('a', { kind: 'running' }));
    await store.add(record('b'));
    const before = await store.update('a', { state: { kind: 'failed', exitCode: 3 }, endedAt: 9 });
    assert.strictEqual(before?.state.kind, 'running');
    assert.deepStrictEqual(store.get('a')?.state, { kind: 'failed', exitCode: 3 });
    assert.strictEqual(store.get('a')?.endedAt, 9);
    assert.strictEqual(await store.update('missing', { endedAt: 1 }), undefined);
    await store.add(record('c', { kind: 'preparing' }));
    await store.remove('a');
    await store.remove('b');
    assert.deepStrictEqual(
      store.all().map((r) => r.spec.id),
      ['c'],
    );
    assert.deepStrictEqual(
      store.active().map((r) => r.spec.id),
      ['c'],
    );
    await store.remove('c');
    assert.deepStrictEqual(store.all(), []);
    assert.strictEqual(changes, 7);
  });

  it('is bounded, dropping the oldest finished jobs and never an active one', async () => {
    const store = new JobStore(new MapStorage(), 3);
    await store.add(record('old-running', { kind: 'running' }));
    for (const id of ['f1', 'f2', 'f3', 'f4']) await store.add(record(id));
    assert.deepStrictEqual(
      store.all().map((r) => r.spec.id),
      ['f4', 'f3', 'old-running'],
    );
  });

  it('ignores records it cannot read', () => {
    const storage = new MapStorage();
    storage.map.set('azurePytorch.jobs.v1', [{ nonsense: true }, record('ok'), null]);
    assert.deepStrictEqual(
      new JobStore(storage).all().map((r) => r.spec.id),
      ['ok'],
    );
  });
});
