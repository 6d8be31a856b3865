import { field, numberField, stringField } from '../common/fields';

/**
 * What the watchdog's state.json says about its last check, for the VM's tooltip ("idle since
 * 14:02") and for telling a watchdog that runs from one that stopped (`checkedAt` long ago).
 */
export interface WatchdogStatus {
  readonly checkedAt: Date;
  /** busy, idle, deallocate, waiting: the last check's decision. */
  readonly decision: string;
  readonly message: string;
  /** Since when the VM has been idle without a break; undefined while busy. */
  readonly idleSince?: Date;
  /** The configuration problem that keeps it from checking, if any. */
  readonly problem?: string;
}

/** Parses state.json; undefined when the watchdog has not checked yet (or the text is not its state). */
export function parseWatchdogStatus(text: string): WatchdogStatus | undefined {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    return undefined;
  }
  const last = field(state, 'lastCheck');
  const at = numberField(last, 'at');
  const decision = stringField(last, 'kind');
  if (at === undefined || decision === undefined) return undefined;
  const idleSince = numberField(state, 'idleSince');
  const problem = stringField(state, 'configProblem');
  return {
    checkedAt: new Date(at * 1000),
    decision,
    message: stringField(last, 'message') ?? '',
    ...(idleSince !== undefined ? { idleSince: new Date(idleSince * 1000) } : {}),
    ...(problem !== undefined ? { problem } : {}),
  };
}
