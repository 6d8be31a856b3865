import * as assert from 'assert';
import type { JobRecord } from '../../../../src/jobs/jobStore';
import {
  formatDuration,
  formatStartTime,
  jobContextValue,
  jobDescription,
  jobIcon,
  jobLabel,
  jobLogTitle,
  jobTooltipRows,
} from '../../../../src/features/jobs/jobsPresentation';
import { jobSpec, node } from '../../jobs/fixtures';

const start = new Date(2026, 10, 25, 14, 3, 9).getTime();
const record = (fields: Partial<JobRecord>): JobRecord => ({
  spec: jobSpec({ script: 'src/train.py', args: ['--lr', 'a b'] }),
  state: { kind: 'running' },
  startedAt: start,
  ...fields,
});

describe('Jobs view presentation', () => {
  it('shows script, targets, state and duration', () => {
    assert.strictEqual(jobLabel(record({})), 'train.py');
    assert.strictEqual(jobDescription(record({}), start + 125_000), 'gpu-a100-1 · Running · 14:03 · 2m 05s');
    const failed = record({
      state: { kind: 'failed', exitCode: 1 },
      endedAt: start + 14_000,
      spec: jobSpec({ nodes: [node('a'), node('b')] }),
    });
    assert.strictEqual(
      jobDescription(failed, start + 86_400_000),
      'a +1 · Failed (exit code 1) · Nov 25 14:03 · 14s',
      'a finished job keeps its duration; another day shows the date',
    );
    assert.strictEqual(formatStartTime(new Date(2026, 0, 5, 9, 7).getTime(), new Date(2026, 0, 5, 23, 0).getTime()), '09:07');
  });

  it('titles log panels so that two runs of one script on one machine differ', () => {
    const run = (at: Date): ReturnType<typeof jobSpec> => jobSpec({ script: 'src/train.py', createdAt: at.toISOString() });
    const first = jobLogTitle(run(new Date(2026, 10, 25, 14, 3, 9)), start);
    const second = jobLogTitle(run(new Date(2026, 10, 25, 14, 41, 0)), start);
    assert.strictEqual(first, 'train.py on gpu-a100-1 · 14:03');
    assert.strictEqual(second, 'train.py on gpu-a100-1 · 14:41');
    assert.strictEqual(jobLogTitle(run(new Date(2026, 10, 24, 9, 5)), start), 'train.py on gpu-a100-1 · Nov 24 09:05', 'another day');
  });

  it('gives menus a context value per state', () => {
    for (const kind of ['preparing', 'running', 'succeeded', 'cancelled', 'lost'] as const)
      assert.strictEqual(jobContextValue(record({ state: { kind } })), `job:${kind}`);
    assert.strictEqual(jobContextValue(record({ state: { kind: 'failed', exitCode: 2 } })), 'job:failed');
  });

  it('formats durations', () => {
    assert.deepStrictEqual([0, 999, 59_999, 60_000, 3_599_000, 3_600_000, 7_380_000].map(formatDuration), [
      '0s',
      '0s',
      '59s',
      '1m 00s',
      '59m 59s',
      '1h 00m',
      '2h 03m',
    ]);
  });

  it('puts the details in the tooltip, quoting arguments that need it', () => {
    const rows = new Map(jobTooltipRows(record({ state: { kind: 'succeeded' }, endedAt: start + 60_000 }), 0, (ms) => `t${ms - start}`));
    assert.strictEqual(rows.get('Script'), 'src/train.py');
    assert.strictEqual(rows.get('Arguments'), '--lr "a b"');
    assert.strictEqual(rows.get('Ended'), 't60000');
    assert.strictEqual(rows.get('Duration'), '1m 00s');
    assert.strictEqual(rows.get('Job id'), 'train-20261125-142301-a3f9');
  });

  it('has an icon per state, spinning while active', () => {
    assert.match(jobIcon({ kind: 'running' }).id, /~spin$/);
    assert.strictEqual(jobIcon({ kind: 'failed', exitCode: 1 }).color, 'testing.iconFailed');
  });
});
