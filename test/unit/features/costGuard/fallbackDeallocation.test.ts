import * as assert from 'assert';
import { decisionsText } from '../../../../src/features/costGuard/decisionsText';
import { watchdogWantsDeallocation } from '../../../../src/features/costGuard/fallbackDeallocation';

const now = new Date('2026-01-10T14:00:00Z');
const ago = (seconds: number): Date => new Date(now.getTime() - seconds * 1000);

describe('deallocating from VS Code where the VM may not deallocate itself', () => {
  it('acts on a recent verdict of the watchdog: idle past its policy, or its own attempt refused', () => {
    assert.strictEqual(watchdogWantsDeallocation({ checkedAt: ago(30), decision: 'deallocate', message: 'idle since 13:20' }, now), true);
    const refused = {
      checkedAt: ago(30),
      decision: 'waiting',
      message: 'idle since 13:20; deallocation failed at 13:50, not asking again before 14:05',
    };
    assert.strictEqual(watchdogWantsDeallocation(refused, now), true);
  });

  it('leaves the VM alone while busy, idle within its time, after its own request, on a stale or broken watchdog', () => {
    assert.strictEqual(watchdogWantsDeallocation({ checkedAt: ago(30), decision: 'busy', message: 'job j-1 running' }, now), false);
    assert.strictEqual(watchdogWantsDeallocation({ checkedAt: ago(30), decision: 'idle', message: 'idle since 13:55' }, now), false);
    const requested = {
      checkedAt: ago(30),
      decision: 'waiting',
      message: 'idle; deallocation requested at 13:59, not asking again before 14:09',
    };
    assert.strictEqual(watchdogWantsDeallocation(requested, now), false);
    assert.strictEqual(watchdogWantsDeallocation({ checkedAt: ago(600), decision: 'deallocate', message: 'idle' }, now), false);
    assert.strictEqual(
      watchdogWantsDeallocation({ checkedAt: ago(30), decision: 'deallocate', message: '', problem: 'bad config' }, now),
      false,
    );
    assert.strictEqual(watchdogWantsDeallocation(undefined, now), false);
  });

  it("shows the watchdog's decisions, or says there are none", () => {
    const text = decisionsText('gpu-a100-1', [{ time: ago(60), kind: 'idle', message: 'no job, no session' }]);
    assert.match(text, /^Auto-deallocate log of gpu-a100-1/);
    assert.match(text, /2026-01-10T13:59:00.000Z {2}idle {7}no job, no session/);
    assert.match(decisionsText('gpu-a100-1', []), /never turned on/);
  });
});
