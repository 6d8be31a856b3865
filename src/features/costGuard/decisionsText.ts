import type { WatchdogDecision } from '../../costGuard/watchdogLog';

/** The log as shown: a heading, then one line per decision. */
export function decisionsText(vmName: string, decisions: readonly WatchdogDecision[]): string {
  const heading = `Auto-deallocate log of ${vmName} (~/.azure-pytorch/watchdog/decisions.log, times UTC)`;
  if (decisions.length === 0) return `${heading}\n\nNo decision yet: auto-deallocate was never turned on for this VM.\n`;
  return `${heading}\n\n${decisions.map((d) => `${d.time.toISOString()}  ${d.kind.padEnd(10)} ${d.message}`).join('\n')}\n`;
}
