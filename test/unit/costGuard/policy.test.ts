import * as assert from 'assert';
import { defaultIdleCriteria, describePolicy, policyProblem } from '../../../src/costGuard/policy';

describe('cost guard policy', () => {
  it('describes the policy for the VM node', () => {
    assert.strictEqual(describePolicy({ idleMinutes: 30, idleWhen: defaultIdleCriteria }), 'auto-deallocate after 30 min idle');
    assert.strictEqual(describePolicy({ idleMinutes: 120, idleWhen: defaultIdleCriteria }), 'auto-deallocate after 2 h idle');
    assert.strictEqual(
      describePolicy({ idleMinutes: 15, afterJobId: 'train-7', idleWhen: defaultIdleCriteria }),
      'auto-deallocate after 15 min idle, and when job train-7 ends',
    );
    assert.strictEqual(describePolicy({ afterJobId: 'train-7', idleWhen: defaultIdleCriteria }), 'auto-deallocate when job train-7 ends');
  });

  it('accepts idle minutes, a job, or both', () => {
    assert.strictEqual(policyProblem({ idleMinutes: 30, idleWhen: defaultIdleCriteria }), undefined);
    assert.strictEqual(policyProblem({ afterJobId: 'j-1', idleWhen: { noJobs: false, noInteractiveSessions: false } }), undefined);
  });

  it('refuses a policy that would never act, or would count a training VM as idle', () => {
    assert.match(policyProblem({ idleWhen: defaultIdleCriteria }) ?? '', /Choose when to deallocate/);
    assert.match(policyProblem({ idleMinutes: 0, idleWhen: defaultIdleCriteria }) ?? '', /positive number of minutes/);
    assert.match(policyProblem({ idleMinutes: Number.NaN, idleWhen: defaultIdleCriteria }) ?? '', /positive number of minutes/);
    assert.match(policyProblem({ idleMinutes: 30, idleWhen: { ...defaultIdleCriteria, gpuUtilizationBelow: 150 } }) ?? '', /percentage/);
    assert.match(policyProblem({ idleMinutes: 30, idleWhen: { noJobs: false, noInteractiveSessions: false } }) ?? '', /keep at least one/);
    assert.match(policyProblem({ afterJobId: '../x', idleWhen: defaultIdleCriteria }) ?? '', /not a job id/);
  });
});
