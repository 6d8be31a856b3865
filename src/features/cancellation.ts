import { UserCancelledError } from '../common/errors';

/** The part of vscode.CancellationToken used here (so that this runs, and is tested, without VS Code). */
export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): unknown };
}

/**
 * Runs `work` with an AbortSignal that aborts when `token` is cancelled (a progress notification's
 * Cancel button), and stops listening to the token once the work settles. Work that fails after the
 * user cancelled fails with UserCancelledError, whatever the abort made it throw.
 */
export async function withAbortSignal<T>(token: CancellationTokenLike, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const listener = token.onCancellationRequested(() => controller.abort());
  if (token.isCancellationRequested) controller.abort();
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw new UserCancelledError();
    throw error;
  } finally {
    listener.dispose();
  }
}
