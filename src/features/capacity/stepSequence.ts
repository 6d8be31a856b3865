// The order of a multi-step flow, without VS Code (the quick picks are in multiStepInput.ts).

/** What a step answers when the user pressed Back. */
export const BACK = Symbol('back');
export type StepAnswer<T> = T | typeof BACK;

/**
 * Runs steps in order; a step answering BACK goes to the one before it. A step returns `false` to
 * be skipped (it has nothing to ask), so Back passes over it too.
 */
export async function runSteps(steps: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  let index = 0;
  const skipped = new Set<number>();
  while (index < steps.length) {
    const answer = await steps[index]();
    if (answer === BACK) {
      do index--;
      while (index > 0 && skipped.has(index));
      index = Math.max(0, index);
    } else {
      if (answer === false) skipped.add(index);
      else skipped.delete(index);
      index++;
    }
  }
}
