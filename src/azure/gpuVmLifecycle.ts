/**
 * Creating and deleting a GPU VM with what it needs. Create: a check that its names are free (an
 * existing VM or network resource of the same name is refused, not updated), resource group (when new), NSG, VNet
 * and public IP in parallel, the NIC, then the VM as a long-running operation; if any step fails
 * or is cancelled, what was made is deleted again and the error names anything that could not be.
 * Delete: only resources carrying the owner tag for this VM, in the order Azure allows (VM with its
 * OS disk, NIC, public IP, NSG, VNet, then the resource group if it was made for the VM and is empty).
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { errorMessage } from '../common/errors';
import { isRecord } from '../common/fields';
import type { ArmClients } from './armClients';
import { describeAzureError, formatAzureProblem } from './azureErrors';
import { CREATED_GROUP_TAG, OWNER_TAG, type GpuVmPlan, type PlannedResource } from './gpuVmPlan';
import { findNameConflict } from './gpuVmPlacement';
import { NETWORK_API_VERSION } from './networkAddresses';
import { parseResourceId } from './virtualMachine';

export interface LifecycleOptions {
  readonly signal?: AbortSignal;
  /** Told each step as it starts: "Creating the network", "Azure is creating VM …"… */
  readonly onStep?: (step: string) => void;
}

export interface CreateOptions extends LifecycleOptions {
  /** Awaited once the public IP has its address and before the VM is created (known_hosts goes here). */
  readonly beforeVm?: (publicIpAddress: string | undefined) => Promise<void>;
}

/** A resource a create made, to delete again if the create does not finish. */
export interface MadeResource {
  readonly id: string;
  readonly apiVersion: string;
  readonly kind: string;
}

/** A create that failed; `remains` says what could not be cleaned up and why, `remaining` is it (for deleteRemaining). */
export class GpuVmCreateError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
    readonly remains: readonly string[],
    readonly remaining: readonly MadeResource[] = [],
  ) {
    super(message);
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('Cancelled');
}

async function putById(clients: ArmClients, subscriptionId: string, resource: PlannedResource, signal?: AbortSignal): Promise<void> {
  await clients.resourcesFor(subscriptionId).resources.beginCreateOrUpdateByIdAndWait(resource.id, NETWORK_API_VERSION, resource.body, {
    abortSignal: signal,
    updateIntervalInMs: clients.pollIntervalMs,
  });
}

async function deleteById(clients: ArmClients, subscriptionId: string, id: string, apiVersion: string): Promise<void> {
  await clients
    .resourcesFor(subscriptionId)
    .resources.beginDeleteByIdAndWait(id, apiVersion, { updateIntervalInMs: clients.pollIntervalMs });
}

export async function createGpuVm(clients: ArmClients, plan: GpuVmPlan, options: CreateOptions = {}): Promise<VirtualMachine> {
  const { subscriptionId, resourceGroup, name, newResourceGroup, location } = plan.request;
  const { signal, onStep } = options;
  const made: MadeResource[] = [];
  const resources = clients.resourcesFor(subscriptionId);
  onStep?.(`Checking that the name ${name} is free in ${resourceGroup}`);
  const conflict = await findNameConflict(clients, plan.request, signal);
  if (conflict) throw new Error(`Creating VM ${name} failed: ${conflict} Nothing was created.`);
  try {
    if (newResourceGroup) {
      onStep?.(`Creating resource group ${resourceGroup}`);
      await resources.resourceGroups.createOrUpdate(resourceGroup, { location, tags: { ...plan.tags, [CREATED_GROUP_TAG]: 'true' } });
      made.push({ id: plan.resourceGroupId, apiVersion: '', kind: 'resource group' });
    }
    throwIfAborted(signal);
    onStep?.('Creating the network (NSG, virtual network, public IP)');
    const network = [plan.nsg, plan.vnet, plan.publicIp];
    const results = await Promise.allSettled(network.map((r) => putById(clients, subscriptionId, r, signal)));
    network.forEach((r, i) => results[i].status === 'fulfilled' && made.push({ id: r.id, apiVersion: NETWORK_API_VERSION, kind: r.kind }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    throwIfAborted(signal);
    onStep?.('Creating the network interface');
    await putById(clients, subscriptionId, plan.nic, signal);
    made.push({ id: plan.nic.id, apiVersion: NETWORK_API_VERSION, kind: plan.nic.kind });
    const publicIp = await resources.resources.getById(plan.publicIp.id, NETWORK_API_VERSION, { abortSignal: signal });
    const address = record(publicIp.properties).ipAddress;
    await options.beforeVm?.(typeof address === 'string' ? address : undefined);
    throwIfAborted(signal);
    onStep?.(`Creating VM ${name}`);
    const compute = clients.computeFor(subscriptionId);
    const poller = compute.virtualMachines.createOrUpdate(resourceGroup, name, plan.vm, {
      abortSignal: signal,
      updateIntervalInMs: clients.pollIntervalMs,
    });
    // Azure lists the VM as soon as the PUT is accepted: from then on it is ours to clean up.
    void poller.submitted().then(
      () => {
        made.push({ id: plan.vmId, apiVersion: 'vm', kind: 'VM' });
        onStep?.(`Azure is creating VM ${name}`);
      },
      () => undefined,
    );
    const vm = await poller;
    return vm;
  } catch (error) {
    const { remains, remaining } = await cleanUp(clients, subscriptionId, made);
    const problem = signal?.aborted ? 'Cancelled' : formatAzureProblem(describeAzureError(error));
    const left = remains.length > 0 ? ` These could not be deleted and remain: ${remains.join('; ')}.` : ' Nothing was left behind.';
    throw new GpuVmCreateError(`Creating VM ${name} failed: ${problem}${left}`, error, remains, remaining);
  }
}

/** Deletes what a failed create made, newest first; returns "kind id: why" for each that stays. */
async function cleanUp(
  clients: ArmClients,
  subscriptionId: string,
  made: readonly MadeResource[],
): Promise<{ remains: string[]; remaining: MadeResource[] }> {
  const failed: Array<{ resource: MadeResource; why: string }> = [];
  const order = [...made].reverse();
  for (const resource of order) {
    try {
      if (resource.kind === 'VM') {
        const { resourceGroup, name } = parseResourceId(resource.id);
        await clients
          .computeFor(subscriptionId)
          .virtualMachines.delete(resourceGroup, name, { updateIntervalInMs: clients.pollIntervalMs });
      } else if (resource.kind === 'resource group') {
        await clients
          .resourcesFor(subscriptionId)
          .resourceGroups.beginDeleteAndWait(resource.id.split('/').pop()!, { updateIntervalInMs: clients.pollIntervalMs });
        // Deleting the group deleted what was left in it.
        const inside = `${resource.id.toLowerCase()}/`;
        failed.splice(0, failed.length, ...failed.filter((f) => !f.resource.id.toLowerCase().startsWith(inside)));
      } else {
        await deleteById(clients, subscriptionId, resource.id, resource.apiVersion);
      }
    } catch (error) {
      failed.push({ resource, why: errorMessage(error) });
    }
  }
  return {
    remains: failed.map((f) => `${f.resource.kind} ${f.resource.id} (${f.why})`),
    remaining: failed.map((f) => f.resource).reverse(),
  };
}

/** Tries again to delete what a failed create left (GpuVmCreateError.remaining); returns what still remains, and why. */
export async function deleteRemaining(clients: ArmClients, subscriptionId: string, remaining: readonly MadeResource[]): Promise<string[]> {
  return (await cleanUp(clients, subscriptionId, remaining)).remains;
}

export interface OwnedResource {
  readonly kind: 'VM' | 'OS disk' | 'network interface' | 'public IP' | 'NSG' | 'virtual network' | 'resource group';
  readonly id: string;
  readonly name: string;
  /** Whether it carries the owner tag (the VM and its OS disk are deleted when asked, tagged or not). */
  readonly tagged: boolean;
}

interface GenericLike {
  tags?: Record<string, string>;
  properties?: unknown;
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  return isRecord(value) ? value : {};
}

function idOf(value: unknown): string | undefined {
  const id = record(value).id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * What Delete would remove: the VM and its OS disk, and of its NIC, public IP, NSG and VNet those
 * tagged as made for this VM; the resource group when it was made for it and holds nothing else.
 */
export async function findOwnedResources(clients: ArmClients, vmId: string, signal?: AbortSignal): Promise<OwnedResource[]> {
  const { subscriptionId, resourceGroup, name } = parseResourceId(vmId);
  const resources = clients.resourcesFor(subscriptionId).resources;
  const vm = await clients.computeFor(subscriptionId).virtualMachines.get(resourceGroup, name, { abortSignal: signal });
  const ours = (body: GenericLike): boolean => body.tags?.[OWNER_TAG] === name;
  const owned: OwnedResource[] = [{ kind: 'VM', id: vmId, name, tagged: ours(vm) }];
  const osDisk = vm.storageProfile?.osDisk;
  // The OS disk goes when it is set to go with the VM, or when the VM is ours.
  if (osDisk?.managedDisk?.id && (osDisk.deleteOption === 'Delete' || ours(vm))) {
    owned.push({ kind: 'OS disk', id: osDisk.managedDisk.id, name: osDisk.name ?? osDisk.managedDisk.id, tagged: ours(vm) });
  }
  const fetch = async (id: string): Promise<GenericLike | undefined> => {
    try {
      return await resources.getById(id, NETWORK_API_VERSION, { abortSignal: signal });
    } catch {
      return undefined; // gone already, or unreadable: not deleted by us
    }
  };
  for (const nicRef of vm.networkProfile?.networkInterfaces ?? []) {
    if (!nicRef.id) continue;
    const nic = await fetch(nicRef.id);
    if (!nic || !ours(nic)) continue;
    owned.push({ kind: 'network interface', id: nicRef.id, name: parseResourceId(nicRef.id).name, tagged: true });
    const nicProperties = record(nic.properties);
    const configurations = Array.isArray(nicProperties.ipConfigurations) ? nicProperties.ipConfigurations : [];
    const related: Array<[OwnedResource['kind'], string | undefined]> = [
      ...configurations.map((c): [OwnedResource['kind'], string | undefined] => [
        'public IP',
        idOf(record(record(c).properties).publicIPAddress),
      ]),
      ['NSG', idOf(nicProperties.networkSecurityGroup)],
      ...configurations.map((c): [OwnedResource['kind'], string | undefined] => [
        'virtual network',
        idOf(record(record(c).properties).subnet)?.replace(/\/subnets\/[^/]+$/i, ''),
      ]),
    ];
    for (const [kind, id] of related) {
      if (!id || owned.some((o) => o.id.toLowerCase() === id.toLowerCase())) continue;
      const body = await fetch(id);
      if (body && ours(body)) owned.push({ kind, id, name: parseResourceId(id).name, tagged: true });
    }
  }
  const group = await clients.resourcesFor(subscriptionId).resourceGroups.get(resourceGroup, { abortSignal: signal });
  if (group.tags?.[CREATED_GROUP_TAG] === 'true' && group.tags?.[OWNER_TAG] === name) {
    const others: string[] = [];
    for await (const resource of resources.listByResourceGroup(resourceGroup, { abortSignal: signal })) {
      if (resource.id && !owned.some((o) => o.id.toLowerCase() === resource.id!.toLowerCase())) others.push(resource.id);
    }
    if (others.length === 0)
      owned.push({
        kind: 'resource group',
        id: group.id ?? `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`,
        name: resourceGroup,
        tagged: true,
      });
  }
  return owned;
}

/** Deletes what findOwnedResources found, in dependency order. */
export async function deleteOwnedResources(
  clients: ArmClients,
  owned: readonly OwnedResource[],
  options: LifecycleOptions = {},
): Promise<void> {
  const order: ReadonlyArray<OwnedResource['kind']> = [
    'VM',
    'OS disk',
    'network interface',
    'public IP',
    'NSG',
    'virtual network',
    'resource group',
  ];
  for (const kind of order) {
    for (const resource of owned.filter((o) => o.kind === kind)) {
      throwIfAborted(options.signal);
      options.onStep?.(`Deleting ${kind} ${resource.name}`);
      const { subscriptionId } =
        resource.kind === 'resource group' ? { subscriptionId: resource.id.split('/')[2] } : parseResourceId(resource.id);
      if (kind === 'VM') {
        const { resourceGroup, name } = parseResourceId(resource.id);
        await clients
          .computeFor(subscriptionId)
          .virtualMachines.delete(resourceGroup, name, { updateIntervalInMs: clients.pollIntervalMs });
      } else if (kind === 'resource group') {
        await clients
          .resourcesFor(subscriptionId)
          .resourceGroups.beginDeleteAndWait(resource.name, { updateIntervalInMs: clients.pollIntervalMs });
      } else {
        // The OS disk usually went with the VM (deleteOption Delete); deleting it again answers 204.
        await deleteById(clients, subscriptionId, resource.id, kind === 'OS disk' ? '2024-03-02' : NETWORK_API_VERSION);
      }
    }
  }
}
