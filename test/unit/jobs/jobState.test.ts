import * as assert from 'assert';
import { deriveJobState, describeState, isActive, parseNodeProbe, type NodeProbe } from '../../../src/jobs/jobState';

const probe = (fields: Partial<NodeProbe>): NodeProbe => ({ missing: false, alive: false, cancelled: false, ...fields });

describe('job state from the job folders', () => {
  it('parses the probe output', () => {
    const parsed = parseNodeProbe(
      'pid=4242\nstarted=1700000000\nrunning=1700000002\nended=1700000060\nexit-code=3\ncancelled=1\nalive=1\nnoise\n',
    );
    assert.deepStrictEqual(parsed, {
      missing: false,
      pid: 4242,
      alive: true,
      startedAt: 1700000000,
      runningAt: 1700000002,
      endedAt: 1700000060,
      exitCode: 3,
      cancelled: true,
    });
    assert.deepStrictEqual(parseNodeProbe('missing=1\n'), {
      missing: true,
      pid: undefined,
      alive: false,
      startedAt: undefined,
      runningAt: undefined,
      endedAt: undefined,
      exitCode: undefined,
      cancelled: false,
    });
    assert.strictEqual(parseNodeProbe('exit-code=\n').exitCode, undefined, 'a half-written file is no exit code');
  });

  it('is preparing until torchrun starts, then running', () => {
    assert.deepStrictEqual(deriveJobState([probe({ alive: true, startedAt: 100 })]), { state: { kind: 'preparing' }, startedAt: 100_000 });
    assert.strictEqual(deriveJobState([probe({ alive: true, startedAt: 100, runningAt: 103 })]).state.kind, 'running');
  });

  it('succeeds when every node exits 0, with start and end times', () => {
    const nodes = [probe({ startedAt: 100, endedAt: 160, exitCode: 0 }), probe({ startedAt: 101, endedAt: 170, exitCode: 0 })];
    assert.deepStrictEqual(deriveJobState(nodes), { state: { kind: 'succeeded' }, startedAt: 100_000, endedAt: 170_000 });
  });

  it("stays running while any node runs, then fails with the first failing rank's code", () => {
    const failing = probe({ exitCode: 1, endedAt: 150 });
    assert.strictEqual(deriveJobState([probe({ alive: true, runningAt: 1 }), failing]).state.kind, 'running');
    assert.deepStrictEqual(deriveJobState([probe({ exitCode: 0 }), probe({ exitCode: 7 }), probe({ exitCode: 1 })]).state, {
      kind: 'failed',
      exitCode: 7,
    });
  });

  it('is cancelled when cancel marked it and nothing runs any more, whatever the exit codes', () => {
    assert.deepStrictEqual(deriveJobState([probe({ cancelled: true, exitCode: 143 }), probe({ cancelled: true })]).state, {
      kind: 'cancelled',
    });
    assert.strictEqual(deriveJobState([probe({ cancelled: true, alive: true, runningAt: 1 })]).state.kind, 'running');
  });

  it('is lost when the run script died without an exit code, or the job folder is gone', () => {
    assert.strictEqual(deriveJobState([probe({ pid: 5, startedAt: 1 })]).state.kind, 'lost');
    assert.strictEqual(deriveJobState([probe({ missing: true })]).state.kind, 'lost');
    assert.strictEqual(deriveJobState([probe({ exitCode: 0 }), probe({ missing: true })]).state.kind, 'lost');
    assert.strictEqual(deriveJobState([]).state.kind, 'lost');
  });

  it('treats an exit code as final even while the script is still exiting', () => {
    assert.strictEqual(deriveJobState([probe({ alive: true, runningAt: 1, exitCode: 0 })]).state.kind, 'succeeded');
  });

  it('describes states for people', () => {
    assert.strictEqual(describeState({ kind: 'failed', exitCode: 2 }), 'Failed (exit code 2)');
    assert.strictEqual(describeState({ kind: 'running' }), 'Running');
    assert.ok(isActive({ kind: 'preparing' }) && isActive({ kind: 'running' }) && !isActive({ kind: 'lost' }));
  });
});
