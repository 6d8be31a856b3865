/**
 * A VM's auto-deallocate policy, as the user chose it: after N idle minutes, and/or when one job
 * ends. Idle means every enabled criterion holds. The watchdog on the VM applies it (watchdogScript.ts).
 */
export interface IdleCriteria {
  /** No job of the extension running on the VM (a job folder with a live run.sh). */
  readonly noJobs: boolean;
  /** No process of the VM holding a terminal (an interactive SSH login, a VS Code terminal). */
  readonly noInteractiveSessions: boolean;
  /** Every GPU's utilization below this percentage; undefined: GPU use is not looked at. */
  readonly gpuUtilizationBelow?: number;
}

export interface CostGuardPolicy {
  /** Deallocate once the VM has been idle this long (fractions allowed); undefined: not for idleness alone. */
  readonly idleMinutes?: number;
  /** Deallocate once this job has ended on the VM and the VM is idle by the criteria. */
  readonly afterJobId?: string;
  readonly idleWhen: IdleCriteria;
}

export const defaultIdleCriteria: IdleCriteria = { noJobs: true, noInteractiveSessions: true, gpuUtilizationBelow: 10 };

/** Why a policy cannot be installed, in words for the user; undefined when it can. */
export function policyProblem(policy: CostGuardPolicy): string | undefined {
  const { idleMinutes, afterJobId, idleWhen } = policy;
  if (idleMinutes === undefined && afterJobId === undefined)
    return 'Choose when to deallocate: after some idle minutes, when a job ends, or both.';
  if (idleMinutes !== undefined && !(Number.isFinite(idleMinutes) && idleMinutes > 0))
    return `The idle time must be a positive number of minutes, not ${idleMinutes}.`;
  if (afterJobId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(afterJobId)) return `${JSON.stringify(afterJobId)} is not a job id.`;
  const threshold = idleWhen.gpuUtilizationBelow;
  if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0 && threshold <= 100))
    return `The GPU utilization threshold must be a percentage above 0 and at most 100, not ${threshold}.`;
  if (idleMinutes !== undefined && !idleWhen.noJobs && !idleWhen.noInteractiveSessions && threshold === undefined)
    return 'With no idle criterion the VM would count as idle while it trains: keep at least one.';
  return undefined;
}

/** The policy in a few words, for the VM's tree node: "auto-deallocate after 30 min idle, and when job j-1 ends". */
export function describePolicy(policy: CostGuardPolicy): string {
  const parts: string[] = [];
  if (policy.idleMinutes !== undefined) parts.push(`after ${formatMinutes(policy.idleMinutes)} idle`);
  if (policy.afterJobId !== undefined) parts.push(`when job ${policy.afterJobId} ends`);
  return `auto-deallocate ${parts.join(', and ')}`;
}

function formatMinutes(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  return `${Math.round(minutes * 10) / 10} min`;
}
