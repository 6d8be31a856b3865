import { format } from 'util';

/**
 * The smoke-test driver sends the workbench's own log lines and the extension host's console
 * through the same `codeAutomationLog(type, args)` hook, with nothing to tell them apart. These
 * patterns match the workbench's routine lines, so that a run prints what the tests printed.
 */
const workbenchNoise: readonly RegExp[] = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(renderer-/,
  /^\[reconnection-grace-time\]/,
  /^\[Service Worker\]/,
  /^\[AgentHost/,
  /^\[AccountPolicyGate\]/,
  /^Updating additional builtin extensions cache/,
  /^Ignoring fetching additional builtin extensions/,
  /^Canceled: Canceled/,
  /^No search provider registered for scheme/,
  // Errors raised in the workbench itself carry stack frames from its bundle.
  /\/static\/out\/vs\/[^\s]*\.js:\d+:\d+/,
];

/** The text of one codeAutomationLog call, formatted like console.log would. */
export function formatAutomationLog(args: unknown): string {
  const parts: unknown[] = Array.isArray(args) ? args : [args];
  return format(...parts);
}

export function isWorkbenchNoise(text: string): boolean {
  return workbenchNoise.some((pattern) => pattern.test(text));
}

/** Writes the extension host's console lines to stdout / stderr; workbench lines only if verbose. */
export function relayAutomationLog(type: string, args: unknown, verbose: boolean): void {
  const text = formatAutomationLog(args);
  if (!verbose && isWorkbenchNoise(text)) {
    return;
  }
  const stream = type === 'error' || type === 'warn' ? process.stderr : process.stdout;
  stream.write(`${text}\n`);
}
