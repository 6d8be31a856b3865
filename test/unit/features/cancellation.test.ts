import * as assert from 'assert';
import { isUserCancelled, UserCancelledError } from '../../../src/common/errors';
import { withAbortSignal, type CancellationTokenLike } from '../../../src/features/cancellation';

/** A token like VS Code's: cancel() fires the listeners still subscribed. */
class TestToken implements CancellationTokenLike {
  isCancellationRequested = false;
  readonly listeners = new Set<() => void>();

  onCancellationRequested(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  cancel(): void {
    this.isCancellationRequested = true;
    for (const listener of [...this.listeners]) listener();
  }
}

function abortable(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('This operation was aborted'))));
}

describe('withAbortSignal', () => {
  it('returns what the work returns and stops listening to the token', async () => {
    const token = new TestToken();
    assert.strictEqual(await withAbortSignal(token, (signal) => Promise.resolve(signal.aborted ? 'aborted' : 'done')), 'done');
    assert.strictEqual(token.listeners.size, 0);
  });

  it('aborts the signal on cancel, and turns the failure that follows into a user cancel', async () => {
    const token = new TestToken();
    const running = withAbortSignal(token, abortable);
    token.cancel();
    await assert.rejects(running, (error: unknown) => error instanceof UserCancelledError);
    assert.strictEqual(token.listeners.size, 0);
  });

  it('passes on a failure the user did not cause', async () => {
    const token = new TestToken();
    await assert.rejects(
      withAbortSignal(token, () => Promise.reject(new Error('connection refused'))),
      (error: unknown) => !isUserCancelled(error) && error instanceof Error && error.message === 'connection refused',
    );
    assert.strictEqual(token.listeners.size, 0);
  });

  it('starts aborted when the token was cancelled already', async () => {
    const token = new TestToken();
    token.isCancellationRequested = true;
    assert.strictEqual(await withAbortSignal(token, (signal) => Promise.resolve(signal.aborted)), true);
  });
});
