import { booleanField, field, isRecord, numberField, stringField } from '../../common/fields';
import { type CostGuardPolicy, policyProblem } from '../../costGuard/policy';

const KEY = 'azurePytorch.costGuard.policies';

/** A VM's auto-deallocate, as installed from this machine. */
export interface InstalledPolicy {
  readonly policy: CostGuardPolicy;
  /** The VM's identity may deallocate it; when false VS Code deallocates it on the watchdog's verdict, while it runs. */
  readonly selfDeallocates: boolean;
}

/** VS Code's global state (a Memento) as far as it is used here. */
export interface PolicyStorage {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void>;
}

/** The policy installed on each VM from this machine (by resource id, lower-cased), kept in global state. */
export class CostGuardPolicies {
  constructor(private readonly storage: PolicyStorage) {}

  of(vmId: string): InstalledPolicy | undefined {
    return installedPolicy(field(this.storage.get(KEY), vmId.toLowerCase()));
  }

  async set(vmId: string, installed: InstalledPolicy | undefined): Promise<void> {
    const stored = this.storage.get(KEY);
    const all: Record<string, unknown> = { ...(isRecord(stored) ? stored : {}) };
    if (installed) all[vmId.toLowerCase()] = installed;
    else delete all[vmId.toLowerCase()];
    await this.storage.update(KEY, all);
  }
}

/** A stored entry, checked (it may come from another version); undefined when it is not a usable policy. */
function installedPolicy(value: unknown): InstalledPolicy | undefined {
  const stored = field(value, 'policy');
  const idleWhen = field(stored, 'idleWhen');
  const selfDeallocates = booleanField(value, 'selfDeallocates');
  const noJobs = booleanField(idleWhen, 'noJobs');
  const noInteractiveSessions = booleanField(idleWhen, 'noInteractiveSessions');
  if (selfDeallocates === undefined || noJobs === undefined || noInteractiveSessions === undefined) return undefined;
  const idleMinutes = numberField(stored, 'idleMinutes');
  const afterJobId = stringField(stored, 'afterJobId');
  const gpuUtilizationBelow = numberField(idleWhen, 'gpuUtilizationBelow');
  const policy: CostGuardPolicy = {
    ...(idleMinutes !== undefined ? { idleMinutes } : {}),
    ...(afterJobId !== undefined ? { afterJobId } : {}),
    idleWhen: { noJobs, noInteractiveSessions, ...(gpuUtilizationBelow !== undefined ? { gpuUtilizationBelow } : {}) },
  };
  return policyProblem(policy) === undefined ? { policy, selfDeallocates } : undefined;
}
