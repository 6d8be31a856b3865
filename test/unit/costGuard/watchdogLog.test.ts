import * as assert from 'assert';
import { parseWatchdogLog } from '../../../src/costGuard/watchdogLog';

describe('cost guard decision log', () => {
  it('reads each decision, leaving out a torn first line of a tail', () => {
    const text = [
      'ning; deallocating at 2026-12-06T04:30:00Z unless busy again',
      '2026-12-06T04:31:02Z busy job train-3 running, 1 interactive SSH session open',
      '2026-12-06T05:01:02Z deallocate idle since 2026-12-06T04:31:02Z (no job running, no interactive SSH session)',
      '2026-12-06T05:01:03Z requested Resource Manager accepted the deallocation (202)',
      '',
    ].join('\n');
    assert.deepStrictEqual(parseWatchdogLog(text), [
      { time: new Date('2026-12-06T04:31:02Z'), kind: 'busy', message: 'job train-3 running, 1 interactive SSH session open' },
      {
        time: new Date('2026-12-06T05:01:02Z'),
        kind: 'deallocate',
        message: 'idle since 2026-12-06T04:31:02Z (no job running, no interactive SSH session)',
      },
      { time: new Date('2026-12-06T05:01:03Z'), kind: 'requested', message: 'Resource Manager accepted the deallocation (202)' },
    ]);
  });
});
