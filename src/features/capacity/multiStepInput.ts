import * as vscode from 'vscode';
import { toError, UserCancelledError } from '../../common/errors';

import { BACK, type StepAnswer } from './stepSequence';

export { BACK, runSteps, type StepAnswer } from './stepSequence';

export interface StepPosition {
  readonly title: string;
  readonly step: number;
  readonly totalSteps: number;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  readonly value: T;
}

export interface PickStepOptions<T> extends StepPosition {
  readonly placeholder: string;
  /** Sets the items, now or later (while `busy` shows); may be called again to update them. */
  readonly items: (show: (items: ReadonlyArray<PickItem<T>>) => void) => void | Promise<void>;
  /** Whether an accepted item is taken; false keeps the pick open (the step explains why itself). */
  readonly accept?: (value: T) => boolean | Promise<boolean>;
}

function backButton(step: number): vscode.QuickInputButton[] {
  return step > 1 ? [vscode.QuickInputButtons.Back] : [];
}

/** One quick pick of a multi-step flow: Back returns BACK, Escape throws UserCancelledError. */
export function pickStep<T>(options: PickStepOptions<T>): Promise<StepAnswer<T>> {
  const pick = vscode.window.createQuickPick<PickItem<T>>();
  Object.assign(pick, {
    title: options.title,
    step: options.step,
    totalSteps: options.totalSteps,
    placeholder: options.placeholder,
    buttons: backButton(options.step),
    matchOnDescription: true,
    matchOnDetail: true,
    ignoreFocusOut: true,
    busy: true,
  });
  return new Promise<StepAnswer<T>>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      action();
      pick.dispose();
    };
    pick.onDidTriggerButton(() => finish(() => resolve(BACK)));
    pick.onDidHide(() => finish(() => reject(new UserCancelledError())));
    pick.onDidAccept(async () => {
      const chosen = pick.selectedItems[0];
      if (!chosen) return;
      pick.enabled = false;
      const taken = options.accept ? await options.accept(chosen.value) : true;
      pick.enabled = true;
      if (taken) finish(() => resolve(chosen.value));
    });
    const show = (items: ReadonlyArray<PickItem<T>>): void => {
      if (settled) return;
      const active = pick.activeItems[0]?.label;
      pick.items = items;
      pick.busy = false;
      const keep = items.find((item) => item.label === active);
      if (keep) pick.activeItems = [keep];
    };
    pick.show();
    Promise.resolve(options.items(show)).catch((error: unknown) => finish(() => reject(toError(error))));
  });
}

export interface InputStepOptions extends StepPosition {
  readonly prompt: string;
  readonly value: string;
  readonly placeholder?: string;
  /** An error message for a value that cannot be taken; undefined when it can. */
  readonly validate: (value: string) => string | undefined;
}

/** One input box of a multi-step flow: Back returns BACK, Escape throws UserCancelledError. */
export function inputStep(options: InputStepOptions): Promise<StepAnswer<string>> {
  const input = vscode.window.createInputBox();
  Object.assign(input, {
    title: options.title,
    step: options.step,
    totalSteps: options.totalSteps,
    prompt: options.prompt,
    value: options.value,
    placeholder: options.placeholder,
    buttons: backButton(options.step),
    ignoreFocusOut: true,
  });
  return new Promise<StepAnswer<string>>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void): void => {
      if (settled) return;
      settled = true;
      action();
      input.dispose();
    };
    input.onDidTriggerButton(() => finish(() => resolve(BACK)));
    input.onDidHide(() => finish(() => reject(new UserCancelledError())));
    input.onDidChangeValue((value) => (input.validationMessage = options.validate(value)));
    input.onDidAccept(() => {
      const problem = options.validate(input.value);
      input.validationMessage = problem;
      if (!problem) finish(() => resolve(input.value));
    });
    input.show();
  });
}
