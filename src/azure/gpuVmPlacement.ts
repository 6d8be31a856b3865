/**
 * Where a new GPU VM goes: the resource groups it may join, and whether its name is free there.
 * Azure answers a PUT on a name already used by updating that resource, so a create into an
 * existing group would change (or fail on) someone's VM, NIC or NSG: the names are checked first.
 */
import { field } from '../common/fields';
import type { ArmClients } from './armClients';
import { gpuVmResourceIds } from './gpuVmPlan';
import { NETWORK_API_VERSION } from './networkAddresses';

/** The subscription's resource groups in a location, by name. */
export async function resourceGroupsIn(
  clients: ArmClients,
  subscriptionId: string,
  location: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const names: string[] = [];
  for await (const group of clients.resourcesFor(subscriptionId).resourceGroups.list({ abortSignal: signal })) {
    if (group.name && group.location?.toLowerCase() === location.toLowerCase()) names.push(group.name);
  }
  return names.sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
}

/** True when the read answers, false on 404; any other failure is thrown. */
async function exists(read: Promise<unknown>): Promise<boolean> {
  try {
    await read;
    return true;
  } catch (error) {
    if (field(error, 'statusCode') === 404) return false;
    throw error;
  }
}

export interface PlacementRequest {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** Whether the group is to be made for the VM (then it must not exist yet). */
  readonly newResourceGroup: boolean;
  readonly name: string;
}

/** Why the VM cannot be created under this name in this group (a sentence saying what to do), or undefined when it can. */
export async function findNameConflict(clients: ArmClients, request: PlacementRequest, signal?: AbortSignal): Promise<string | undefined> {
  const { subscriptionId, resourceGroup, name } = request;
  const resources = clients.resourcesFor(subscriptionId);
  const groupExists = await exists(resources.resourceGroups.get(resourceGroup, { abortSignal: signal }));
  if (request.newResourceGroup && groupExists) {
    return `A resource group named ${resourceGroup} already exists: pick it as an existing group, or choose another VM name.`;
  }
  if (!groupExists) return undefined;
  const vmTaken = await exists(clients.computeFor(subscriptionId).virtualMachines.get(resourceGroup, name, { abortSignal: signal }));
  if (vmTaken) return `A VM named ${name} already exists in the resource group ${resourceGroup}: choose another name.`;
  const ids = gpuVmResourceIds(subscriptionId, resourceGroup, name);
  const network: Array<[string, string]> = [
    ['network interface', ids.nicId],
    ['public IP', ids.publicIpId],
    ['NSG', ids.nsgId],
    ['virtual network', ids.vnetId],
  ];
  const taken = await Promise.all(
    network.map(([, id]) => exists(resources.resources.getById(id, NETWORK_API_VERSION, { abortSignal: signal }))),
  );
  const used = network.filter((_, i) => taken[i]).map(([kind, id]) => `${kind} ${id.split('/').pop()}`);
  if (used.length === 0) return undefined;
  return `The resource group ${resourceGroup} already holds ${used.join(', ')}, which a VM named ${name} would replace: choose another name.`;
}
