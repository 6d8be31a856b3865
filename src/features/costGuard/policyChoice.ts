/**
 * The choices of Auto-Deallocate When Idle…, and the policy each one means. Pure.
 */
import { type CostGuardPolicy, defaultIdleCriteria } from '../../costGuard/policy';

export type PolicyChoice =
  { readonly kind: 'idle'; readonly minutes: number } | { readonly kind: 'jobEnds'; readonly jobId: string } | { readonly kind: 'off' };

export const PRESET_IDLE_MINUTES = [15, 30, 60, 120] as const;

/** Why the typed idle time cannot be used; undefined when it can. */
export function idleMinutesProblem(text: string, minimum: number): string | undefined {
  const minutes = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(minutes)) return 'Type a number of minutes.';
  if (minutes < minimum) return `At least ${minimum} minutes (azurePytorch.costGuard.minimumIdleMinutes).`;
  if (minutes > 7 * 24 * 60) return 'At most a week (10080 minutes).';
  return undefined;
}

export function policyOf(choice: Exclude<PolicyChoice, { kind: 'off' }>): CostGuardPolicy {
  return choice.kind === 'idle'
    ? { idleMinutes: choice.minutes, idleWhen: defaultIdleCriteria }
    : { afterJobId: choice.jobId, idleWhen: defaultIdleCriteria };
}

/**
 * How often the watchdog's fallback loop checks: four times per idle period, at most once a minute
 * apart and at least a second, so that a short idle time is not overshot by a minute.
 */
export function checkIntervalSeconds(policy: CostGuardPolicy): number {
  if (policy.idleMinutes === undefined) return 60;
  return Math.min(60, Math.max(1, Math.floor((policy.idleMinutes * 60) / 4)));
}
