import type { WatchdogStatus } from '../../costGuard/watchdogStatus';

/** A verdict older than this is not acted on: the watchdog may have stopped, and the VM be busy again. */
const FRESH_MS = 5 * 60_000;

/**
 * Whether VS Code deallocates a VM whose watchdog may not (no role on the VM): its last check,
 * recent, found it idle past its policy ('deallocate', or 'waiting' after its own attempt failed).
 */
export function watchdogWantsDeallocation(status: WatchdogStatus | undefined, now: Date): boolean {
  if (!status || status.problem !== undefined) return false;
  if (now.getTime() - status.checkedAt.getTime() > FRESH_MS) return false;
  return status.decision === 'deallocate' || (status.decision === 'waiting' && /deallocation failed/.test(status.message));
}
