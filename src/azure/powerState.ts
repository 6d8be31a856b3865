/** A VM's power state as Azure reports it in the instance view (`PowerState/<state>`). */
export type PowerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated' | 'unknown';

/**
 * What the Clusters view shows: the power state; `failed` when provisioning failed on a VM that does
 * not run; `running-failed` when it failed on one that runs (a failed extension, say): it still bills.
 */
export type DisplayState = PowerState | 'failed' | 'running-failed' | 'creating';

const POWER_STATES: readonly PowerState[] = ['starting', 'running', 'stopping', 'stopped', 'deallocating', 'deallocated', 'unknown'];

export interface InstanceStatus {
  readonly code?: string;
  readonly message?: string;
  readonly displayStatus?: string;
}

export interface VmStatus {
  readonly powerState: PowerState;
  /** Set when the last provisioning operation failed (e.g. a start that hit AllocationFailed). */
  readonly provisioningError?: string;
  /** Set while Azure is still creating the VM (`ProvisioningState/creating`). */
  readonly creating?: boolean;
}

/** Reads the power and provisioning state out of an instance view's `statuses`. */
export function vmStatusFromStatuses(statuses: readonly InstanceStatus[] | undefined): VmStatus {
  let powerState: PowerState = 'unknown';
  let provisioningError: string | undefined;
  let creating = false;
  for (const status of statuses ?? []) {
    const [kind, value] = (status.code ?? '').split('/', 2);
    if (kind === 'PowerState' && value) {
      const state = POWER_STATES.find((known) => known === value.toLowerCase());
      if (state) powerState = state;
    } else if (kind === 'ProvisioningState' && value?.toLowerCase() === 'failed') {
      provisioningError = status.message || status.displayStatus || 'Provisioning failed';
    } else if (kind === 'ProvisioningState' && value?.toLowerCase() === 'creating') {
      creating = true;
    }
  }
  return { powerState, provisioningError, ...(creating ? { creating } : {}) };
}

/** Whether the state is on its way to another one, so that it is worth polling. */
export function isTransitional(state: PowerState): boolean {
  return state === 'starting' || state === 'stopping' || state === 'deallocating';
}

/** Whether the state is worth polling until it settles: on its way to another, or not read yet. */
export function isUnsettled(state: PowerState): boolean {
  return isTransitional(state) || state === 'unknown';
}

export function displayState(status: VmStatus): DisplayState {
  if (status.provisioningError === undefined) return status.creating ? 'creating' : status.powerState;
  return status.powerState === 'running' ? 'running-failed' : 'failed';
}
