import type { ArmClients } from './armClients';
import type { VmRef } from './machines';

/** The power operations the extension offers. Stop is `deallocate`: a powered-off VM still bills. */
export type PowerAction = 'start' | 'deallocate' | 'powerOff' | 'restart';

/**
 * Runs a power operation and waits for Azure to finish it: the POST is accepted (202) and the
 * SDK polls the operation until it succeeds, or throws with Azure's reason (e.g. AllocationFailed).
 */
export async function runPowerAction(clients: ArmClients, ref: VmRef, action: PowerAction, abortSignal?: AbortSignal): Promise<void> {
  const vms = clients.computeFor(ref.subscriptionId).virtualMachines;
  const options = { abortSignal, updateIntervalInMs: clients.pollIntervalMs };
  switch (action) {
    case 'start':
      await vms.start(ref.resourceGroup, ref.name, options);
      return;
    case 'deallocate':
      await vms.deallocate(ref.resourceGroup, ref.name, options);
      return;
    case 'powerOff':
      await vms.powerOff(ref.resourceGroup, ref.name, options);
      return;
    case 'restart':
      await vms.restart(ref.resourceGroup, ref.name, options);
      return;
  }
}
