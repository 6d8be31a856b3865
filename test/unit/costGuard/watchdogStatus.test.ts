import * as assert from 'assert';
import { parseWatchdogStatus } from '../../../src/costGuard/watchdogStatus';

describe('cost guard watchdog status', () => {
  it('reads the last check and since when the VM is idle', () => {
    const state = {
      bootId: 'b-1',
      idleSince: 1765000000,
      checks: 12,
      lastCheck: { at: 1765000120, kind: 'idle', message: 'idle since 2025-12-06T05:46:40Z (no job running)' },
    };
    assert.deepStrictEqual(parseWatchdogStatus(JSON.stringify(state)), {
      checkedAt: new Date(1765000120 * 1000),
      decision: 'idle',
      message: 'idle since 2025-12-06T05:46:40Z (no job running)',
      idleSince: new Date(1765000000 * 1000),
    });
  });

  it('says what keeps it from checking, and nothing before its first check', () => {
    const state = {
      idleSince: null,
      configProblem: 'no configuration (No such file or directory)',
      lastCheck: { at: 1, kind: 'busy', message: 'x' },
    };
    assert.strictEqual(parseWatchdogStatus(JSON.stringify(state))?.problem, 'no configuration (No such file or directory)');
    assert.strictEqual(parseWatchdogStatus(JSON.stringify(state))?.idleSince, undefined);
    assert.strictEqual(parseWatchdogStatus(''), undefined);
    assert.strictEqual(parseWatchdogStatus('{"configProblem": "no configuration"}'), undefined);
  });
});
