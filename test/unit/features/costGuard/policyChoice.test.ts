import * as assert from 'assert';
import { policyProblem } from '../../../../src/costGuard/policy';
import { checkIntervalSeconds, idleMinutesProblem, policyOf } from '../../../../src/features/costGuard/policyChoice';

describe('auto-deallocate choices', () => {
  it('accepts an idle time from the minimum setting up to a week', () => {
    assert.strictEqual(idleMinutesProblem('45', 5), undefined);
    assert.strictEqual(idleMinutesProblem(' 5 ', 5), undefined);
    assert.match(idleMinutesProblem('4', 5) ?? '', /At least 5 minutes/);
    assert.match(idleMinutesProblem('0.1', 5) ?? '', /minimumIdleMinutes/);
    assert.strictEqual(idleMinutesProblem('0.1', 0.05), undefined);
    assert.match(idleMinutesProblem('abc', 5) ?? '', /number of minutes/);
    assert.match(idleMinutesProblem('', 5) ?? '', /number of minutes/);
    assert.match(idleMinutesProblem('20000', 5) ?? '', /week/);
  });

  it('turns each choice into a policy the watchdog accepts, with every idle criterion on', () => {
    const idle = policyOf({ kind: 'idle', minutes: 30 });
    assert.strictEqual(idle.idleMinutes, 30);
    assert.deepStrictEqual(idle.idleWhen, { noJobs: true, noInteractiveSessions: true, gpuUtilizationBelow: 10 });
    const job = policyOf({ kind: 'jobEnds', jobId: 'j-20260110-1' });
    assert.strictEqual(job.afterJobId, 'j-20260110-1');
    assert.strictEqual(job.idleMinutes, undefined);
    assert.strictEqual(policyProblem(idle), undefined);
    assert.strictEqual(policyProblem(job), undefined);
  });

  it('checks four times per idle period, between once a second and once a minute', () => {
    assert.strictEqual(checkIntervalSeconds(policyOf({ kind: 'idle', minutes: 30 })), 60);
    assert.strictEqual(checkIntervalSeconds(policyOf({ kind: 'idle', minutes: 2 })), 30);
    assert.strictEqual(checkIntervalSeconds(policyOf({ kind: 'idle', minutes: 0.1 })), 1);
    assert.strictEqual(checkIntervalSeconds(policyOf({ kind: 'jobEnds', jobId: 'j-1' })), 60);
  });
});
