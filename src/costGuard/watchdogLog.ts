/**
 * The watchdog's decision log (`decisions.log` on the VM), one line per change of decision:
 * `<ISO time> <kind> <message>`. Kinds: start, policy, busy, idle, deallocate, waiting, requested,
 * failed, error, removed.
 */
export interface WatchdogDecision {
  readonly time: Date;
  readonly kind: string;
  readonly message: string;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) ([a-z]+) (.*)$/;

/** Parses the log's lines; a line that is not a decision (a torn first line of a tail) is left out. */
export function parseWatchdogLog(text: string): WatchdogDecision[] {
  return text.split('\n').flatMap((line) => {
    const match = LINE.exec(line);
    return match ? [{ time: new Date(match[1]), kind: match[2], message: match[3] }] : [];
  });
}
