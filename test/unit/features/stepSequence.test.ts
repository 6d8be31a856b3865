import * as assert from 'assert';
import { BACK, runSteps, type StepAnswer } from '../../../src/features/capacity/stepSequence';

describe('multi-step flow order', () => {
  /** Steps that answer from a script, recording which step ran. */
  function scripted(scripts: Array<Array<StepAnswer<string> | false>>): {
    ran: number[];
    steps: Array<() => Promise<StepAnswer<string> | false>>;
  } {
    const ran: number[] = [];
    const steps = scripts.map((answers, index) => () => {
      ran.push(index);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`step ${index} asked more often than scripted`);
      return Promise.resolve(answer);
    });
    return { ran, steps };
  }

  it('goes forward, and back to the step before on Back', async () => {
    const { ran, steps } = scripted([
      ['sub', 'sub'],
      ['eastus', 'westus2'],
      [BACK, 'size'],
    ]);
    await runSteps(steps);
    assert.deepStrictEqual(ran, [0, 1, 2, 1, 2]);
  });

  it('passes over a skipped step when going back', async () => {
    const { ran, steps } = scripted([
      ['a', 'b'],
      [false, false],
      [BACK, 'c'],
    ]);
    await runSteps(steps);
    assert.deepStrictEqual(ran, [0, 1, 2, 0, 1, 2]);
  });

  it('Back past a skipped first step asks the first step again, which skips again', async () => {
    const { ran, steps } = scripted([[false, false], ['eastus', BACK, 'westus2'], [BACK, 'size'], ['name']]);
    await runSteps(steps);
    assert.deepStrictEqual(ran, [0, 1, 2, 1, 0, 1, 2, 3]);
  });
});
