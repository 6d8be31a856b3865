/** The message of anything thrown, for display. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Anything thrown, as an Error (for APIs that take one). */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The user said no: dismissed a pick, an input box, a confirmation or a sign-in, or cancelled a
 * progress. Not a failure: the command wrapper shows nothing for it.
 */
export class UserCancelledError extends Error {
  override readonly name = 'UserCancelledError';

  constructor(message = 'Cancelled by the user.', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Whether `error` is a user's cancel. By name as well as by class: the Azure layer is a bundle of
 * its own (dist/azure.js), with its own copy of this class.
 */
export function isUserCancelled(error: unknown): error is UserCancelledError {
  return error instanceof UserCancelledError || (error instanceof Error && error.name === 'UserCancelledError');
}
