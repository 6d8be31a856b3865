import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';

// Every notification reads "Azure PyTorch: <message>", with the given buttons; each resolves to
// the button chosen (undefined when the notification is closed).
const PREFIX = 'Azure PyTorch: ';

export function showError<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showErrorMessage(PREFIX + message, ...actions);
}

export function showWarning<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showWarningMessage(PREFIX + message, ...actions);
}

export function showInformation<T extends string>(message: string, ...actions: T[]): Thenable<T | undefined> {
  return vscode.window.showInformationMessage(PREFIX + message, ...actions);
}

/** A modal question with its answers; resolves to the answer chosen, throws UserCancelledError when dismissed. */
export async function confirm<T extends string>(question: string, detail: string, ...answers: T[]): Promise<T> {
  const answer = await vscode.window.showWarningMessage(question, { modal: true, detail }, ...answers);
  if (answer === undefined) throw new UserCancelledError();
  return answer;
}

/** A button on an error's message, and what it does. */
export interface ErrorAction {
  readonly title: string;
  run(): unknown;
}

/** An error that offers something to do about it: the command wrapper shows its actions as buttons. */
export class ActionableError extends Error {
  constructor(
    message: string,
    readonly actions: readonly ErrorAction[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
