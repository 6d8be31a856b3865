/** A VM's power state as Azure reports it in the instance view (`PowerState/<state>`). */
export type PowerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated' | 'unknown';

/** What the Clusters view shows: the power state, or `failed` when provisioning failed. */
export type DisplayState = PowerState | 'failed';

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
}

/** Reads the power and provisioning state out of an instance view's `statuses`. */
export function vmStatusFromStatuses(statuses: readonly InstanceStatus[] | undefined): VmStatus {
  let powerState: PowerState = 'unknown';
  let provisioningError: string | undefined;
  for (const status of statuses ?? []) {
    const [kind, value] = (status.code ?? '').split('/', 2);
    if (kind === 'PowerState' && value) {
      const state = POWER_STATES.find((known) => known === value.toLowerCase());
      if (state) powerState = state;
    } else if (kind === 'ProvisioningState' && value?.toLowerCase() === 'failed') {
      provisioningError = status.message || status.displayStatus || 'Provisioning failed';
    }
  }
  return { powerState, provisioningError };
}

/** Whether the state is on its way to another one, so that it is worth polling. */
export function isTransitional(state: PowerState): boolean {
  return state === 'starting' || state === 'stopping' || state === 'deallocating';
}

export function displayState(status: VmStatus): DisplayState {
  return status.provisioningError !== undefined ? 'failed' : status.powerState;
}
