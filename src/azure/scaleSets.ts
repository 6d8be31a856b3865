import type { VirtualMachineScaleSet, VirtualMachineScaleSetVM } from '@azure/arm-compute';
import { mapConcurrently } from '../common/concurrency';
import { numberField } from '../common/fields';
import { armListAll } from './armGet';
import type { ArmClients } from './armClients';
import { describeAzureError } from './azureErrors';
import { loadRegionGpuSizes } from './gpuSizeCatalog';
import { getVm, gpusOf } from './machines';
import { addressBookFromJson, type AddressBook, type UnreadAddresses, type VmAddresses } from './networkAddresses';
import { vmStatusFromStatuses } from './powerState';
import {
  capacityProblem,
  instancesInOrder,
  type AzureScaleSet,
  type ScaleSetAction,
  type ScaleSetInstance,
  type ScaleSetRef,
} from './scaleSet';
import type { SizeFacts, SkuCatalog } from './skuCatalog';
import { describeQuotaShortfall, quotaFit } from './vcpuQuota';
import { parseResourceId } from './virtualMachine';

/** Scale sets whose instances are listed at the same time. */
const INSTANCE_LIST_CONCURRENCY = 8;
/** Flexible instances read at the same time (each is a VM read). */
const FLEXIBLE_VM_CONCURRENCY = 8;
/** The network API version that serves a Uniform scale set's NICs and public IPs (as @azure/arm-network uses). */
const SCALE_SET_NETWORK_API_VERSION = '2018-10-01';

/** The scale set's own facts from its model, without instances. */
export function scaleSetFromModel(
  model: VirtualMachineScaleSet,
  facts: SizeFacts | undefined,
): Omit<AzureScaleSet, 'instances' | 'instancesProblem'> {
  const id = model.id ?? '';
  const { subscriptionId, resourceGroup, name } = parseResourceId(id);
  const size = model.sku?.name ?? 'unknown size';
  return {
    id,
    subscriptionId,
    resourceGroup,
    name: model.name ?? name,
    location: model.location,
    size,
    orchestration: model.orchestrationMode === 'Flexible' ? 'Flexible' : 'Uniform',
    capacity: model.sku?.capacity ?? 0,
    vCPUs: facts?.vCPUs,
    memoryGB: facts?.memoryGB,
    gpus: gpusOf(size, facts),
  };
}

/** A Uniform instance as a VM: its state from the instance view, its addresses from the scale set's NICs. */
export function uniformInstanceVm(
  model: VirtualMachineScaleSetVM,
  set: Omit<AzureScaleSet, 'instances' | 'instancesProblem'>,
  addresses: VmAddresses,
  osUser: string | undefined,
): ScaleSetInstance {
  const nics = (model.networkProfile?.networkInterfaces ?? []).flatMap((n) => (n.id ? [n.id] : []));
  const instanceId = model.instanceId ?? model.id?.split('/').at(-1) ?? '';
  return {
    instanceId,
    vm: {
      id: model.id ?? `${set.id}/virtualMachines/${instanceId}`,
      name: model.name ?? `${set.name}_${instanceId}`,
      subscriptionId: set.subscriptionId,
      resourceGroup: set.resourceGroup,
      location: model.location ?? set.location,
      size: set.size,
      vCPUs: set.vCPUs,
      memoryGB: set.memoryGB,
      gpus: set.gpus,
      status: vmStatusFromStatuses(model.instanceView?.statuses),
      publicIp: addresses.publicIp,
      ...(addresses.publicIpv6 ? { publicIpv6: addresses.publicIpv6 } : {}),
      privateIp: addresses.privateIp,
      ...(addresses.unread ? { unreadAddresses: addresses.unread } : {}),
      osUser: model.osProfile?.adminUsername ?? osUser,
      networkInterfaceIds: nics,
      zone: model.zones?.[0],
    },
  };
}

/**
 * The GPU scale sets of a subscription (both orchestration modes), each with its instances. Sets of
 * sizes without GPUs are left out. The instances of several sets are listed at the same time, a
 * bounded number; a set whose instances cannot be listed shows with the reason.
 */
export async function listSubscriptionScaleSets(
  clients: ArmClients,
  skus: SkuCatalog,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<{ scaleSets: AzureScaleSet[]; warnings: string[] }> {
  const compute = clients.computeFor(subscriptionId);
  const warnings: string[] = [];
  const models: VirtualMachineScaleSet[] = [];
  for await (const model of compute.virtualMachineScaleSets.listAll({ abortSignal })) models.push(model);
  const sets = await Promise.all(
    models.map(async (model) => ({ model, facts: await sizeFacts(clients, skus, model, warnings, abortSignal) })),
  );
  const gpuSets = sets.filter(({ model, facts }) => gpusOf(model.sku?.name ?? '', facts) !== undefined);
  const scaleSets = await mapConcurrently(gpuSets, INSTANCE_LIST_CONCURRENCY, ({ model, facts }) =>
    withInstances(clients, skus, model, facts, abortSignal),
  );
  return { scaleSets, warnings: [...new Set(warnings)] };
}

/** One scale set, read afresh with its instances. */
export async function getScaleSet(
  clients: ArmClients,
  skus: SkuCatalog,
  ref: ScaleSetRef,
  abortSignal?: AbortSignal,
): Promise<AzureScaleSet> {
  const model = await clients.computeFor(ref.subscriptionId).virtualMachineScaleSets.get(ref.resourceGroup, ref.name, { abortSignal });
  const facts = await sizeFacts(clients, skus, model, [], abortSignal);
  return withInstances(clients, skus, model, facts, abortSignal);
}

async function sizeFacts(
  clients: ArmClients,
  skus: SkuCatalog,
  model: VirtualMachineScaleSet,
  warnings: string[],
  abortSignal?: AbortSignal,
): Promise<SizeFacts | undefined> {
  const compute = clients.computeFor(parseResourceId(model.id ?? '').subscriptionId);
  try {
    const table = await skus.sizes(compute, model.location, abortSignal);
    return table.get((model.sku?.name ?? '').toLowerCase());
  } catch (error) {
    if (abortSignal?.aborted) throw error;
    warnings.push(
      `VM sizes of ${model.location} could not be read; GPU counts come from the catalog. ${describeAzureError(error).message}`,
    );
    return undefined;
  }
}

async function withInstances(
  clients: ArmClients,
  skus: SkuCatalog,
  model: VirtualMachineScaleSet,
  facts: SizeFacts | undefined,
  abortSignal?: AbortSignal,
): Promise<AzureScaleSet> {
  const set = scaleSetFromModel(model, facts);
  try {
    const instances =
      set.orchestration === 'Uniform'
        ? await listUniformInstances(clients, set, model.virtualMachineProfile?.osProfile?.adminUsername, abortSignal)
        : await listFlexibleInstances(clients, skus, set, abortSignal);
    return { ...set, instances: instancesInOrder(instances) };
  } catch (error) {
    if (abortSignal?.aborted) throw error;
    return { ...set, instances: [], instancesProblem: describeAzureError(error).message };
  }
}

async function listUniformInstances(
  clients: ArmClients,
  set: Omit<AzureScaleSet, 'instances' | 'instancesProblem'>,
  osUser: string | undefined,
  abortSignal?: AbortSignal,
): Promise<ScaleSetInstance[]> {
  const compute = clients.computeFor(set.subscriptionId);
  const modelsListed = (async () => {
    const models: VirtualMachineScaleSetVM[] = [];
    for await (const vm of compute.virtualMachineScaleSetVMs.list(set.resourceGroup, set.name, { expand: 'instanceView', abortSignal }))
      models.push(vm);
    return models;
  })();
  const [models, book] = await Promise.all([modelsListed, scaleSetAddresses(clients, set, abortSignal)]);
  return models.map((model) => {
    const nics = (model.networkProfile?.networkInterfaces ?? []).flatMap((n) => (n.id ? [{ id: n.id, primary: n.primary }] : []));
    return uniformInstanceVm(model, set, book.addressesOf(nics), osUser);
  });
}

/** A Uniform set's NICs and public IPs, two lists however many instances; what the role may not read is left unread. */
async function scaleSetAddresses(clients: ArmClients, set: ScaleSetRef, abortSignal?: AbortSignal): Promise<AddressBook> {
  const client = clients.resourcesFor(set.subscriptionId);
  const base = `${clients.environment.endpoints.resourceManager}${set.id}`;
  const forbidden = new Set<string>();
  const list = async (type: string): Promise<unknown[]> => {
    try {
      return await armListAll(client, `${base}/${type}?api-version=${SCALE_SET_NETWORK_API_VERSION}`, abortSignal);
    } catch (error) {
      if (numberField(error, 'statusCode') !== 403) throw error;
      forbidden.add(type);
      return [];
    }
  };
  const [nics, publicIps] = await Promise.all([list('networkInterfaces'), list('publicIPAddresses')]);
  const unread: UnreadAddresses | undefined = forbidden.has('networkInterfaces')
    ? 'all'
    : forbidden.has('publicIPAddresses')
      ? 'public'
      : undefined;
  return addressBookFromJson(nics, publicIps, unread);
}

/** A Flexible set's instances: the resource group's VMs that name it, each read as a VM. */
async function listFlexibleInstances(
  clients: ArmClients,
  skus: SkuCatalog,
  set: ScaleSetRef,
  abortSignal?: AbortSignal,
): Promise<ScaleSetInstance[]> {
  const compute = clients.computeFor(set.subscriptionId);
  const members: { resourceGroup: string; name: string; id: string }[] = [];
  for await (const vm of compute.virtualMachines.list(set.resourceGroup, { abortSignal })) {
    if (vm.id && vm.virtualMachineScaleSet?.id?.toLowerCase() === set.id.toLowerCase()) {
      members.push({ id: vm.id, resourceGroup: set.resourceGroup, name: vm.name ?? parseResourceId(vm.id).name });
    }
  }
  return mapConcurrently(members, FLEXIBLE_VM_CONCURRENCY, async (member) => {
    const vm = await getVm(clients, skus, { ...member, subscriptionId: set.subscriptionId }, abortSignal);
    return { instanceId: vm.name, vm };
  });
}

/**
 * Starts or deallocates instances of a scale set (all of them when `instanceIds` is absent), one
 * long-running operation that the SDK follows until Azure finishes it or says why it failed.
 */
export async function runScaleSetAction(
  clients: ArmClients,
  ref: ScaleSetRef,
  action: ScaleSetAction,
  instanceIds?: readonly string[],
  abortSignal?: AbortSignal,
): Promise<void> {
  const sets = clients.computeFor(ref.subscriptionId).virtualMachineScaleSets;
  const options = {
    abortSignal,
    updateIntervalInMs: clients.pollIntervalMs,
    ...(instanceIds ? { vmInstanceIDs: { instanceIds: [...instanceIds] } } : {}),
  };
  if (action === 'start') await sets.start(ref.resourceGroup, ref.name, options);
  else await sets.deallocate(ref.resourceGroup, ref.name, options);
}

/** Sets a scale set's instance count (`sku.capacity`) and waits until Azure has made or removed the instances. */
export async function scaleScaleSet(clients: ArmClients, ref: ScaleSetRef, capacity: number, abortSignal?: AbortSignal): Promise<void> {
  const problem = capacityProblem(String(capacity));
  if (problem) throw new Error(problem);
  await clients
    .computeFor(ref.subscriptionId)
    .virtualMachineScaleSets.update(
      ref.resourceGroup,
      ref.name,
      { sku: { capacity } },
      { abortSignal, updateIntervalInMs: clients.pollIntervalMs },
    );
}

/**
 * Why scaling out to `capacity` would not fit the region's vCPU quota (the new instances start, so
 * they count); undefined when it fits, when it scales in, or when the quota cannot be read (Azure
 * then says itself when it refuses).
 */
export async function scaleOutQuotaShortfall(
  clients: ArmClients,
  scaleSet: AzureScaleSet,
  capacity: number,
  abortSignal?: AbortSignal,
): Promise<string | undefined> {
  const added = capacity - scaleSet.capacity;
  if (added <= 0) return undefined;
  const region = await loadRegionGpuSizes(clients, scaleSet.subscriptionId, scaleSet.location, abortSignal).catch(() => undefined);
  const offer = region?.offers.find((each) => each.name.toLowerCase() === scaleSet.size.toLowerCase());
  if (!region?.quota || !offer) return undefined;
  const vCPUs = offer.vCPUs * added;
  return describeQuotaShortfall(quotaFit(region.quota, offer.family, vCPUs, false), vCPUs, scaleSet.location);
}
