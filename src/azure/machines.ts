import type { ComputeManagementClient, VirtualMachine } from '@azure/arm-compute';
import { mapConcurrently } from '../common/concurrency';
import type { ArmClients } from './armClients';
import { describeAzureError } from './azureErrors';
import { findGpuFamily } from './gpuCatalog';
import { loadAddressBook, loadVmAddresses, type VmAddresses, type VmNicRef } from './networkAddresses';
import { vmStatusFromStatuses, type InstanceStatus, type VmStatus } from './powerState';
import type { SizeFacts, SizeTable, SkuCatalog } from './skuCatalog';
import { parseResourceId, type AzureVm, type VmGpus } from './virtualMachine';

/** Identifies a VM for the operations on it. */
export interface VmRef {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

export interface ListingReport {
  /** Problems that cost detail but not the listing (e.g. SKUs unreadable: GPU counts from the catalog). */
  readonly warnings: string[];
}

/**
 * The GPUs of a size: the count from the SKU, the model from the catalog. For a partitioned GPU the
 * catalog's fraction wins: the SKU rounds it up to `GPUs: 1`.
 */
export function gpusOf(size: string, facts: SizeFacts | undefined): VmGpus | undefined {
  const known = findGpuFamily(size);
  const partitioned = known?.catalogCount !== undefined && known.catalogCount < 1;
  const count = partitioned ? known.catalogCount : (facts?.gpus ?? known?.catalogCount);
  if (!count) return undefined;
  return { count, model: known?.family.gpu, series: known?.family.series };
}

/** Puts an AzureVm together from the VM model, its status, its addresses and its size's facts. */
export function assembleVm(model: VirtualMachine, status: VmStatus, addresses: VmAddresses, facts: SizeFacts | undefined): AzureVm {
  const id = model.id ?? '';
  const { subscriptionId, resourceGroup } = parseResourceId(id);
  const size = model.hardwareProfile?.vmSize ?? 'unknown size';
  return {
    id,
    name: model.name ?? parseResourceId(id).name,
    subscriptionId,
    resourceGroup,
    location: model.location,
    size,
    vCPUs: facts?.vCPUs,
    memoryGB: facts?.memoryGB,
    gpus: gpusOf(size, facts),
    status,
    publicIp: addresses.publicIp,
    ...(addresses.publicIpv6 ? { publicIpv6: addresses.publicIpv6 } : {}),
    privateIp: addresses.privateIp,
    ...(addresses.unread ? { unreadAddresses: addresses.unread } : {}),
    osUser: model.osProfile?.adminUsername,
    networkInterfaceIds: nicIdsOf(model),
    zone: model.zones?.[0],
    ...(model.priority?.toLowerCase() === 'spot' ? { spot: true } : {}),
  };
}

/**
 * Every VM of a subscription. The VM models, their power states (Azure gives them only in a
 * separate `statusOnly` listing), the NICs and the public IPs are listed at the same time, and the
 * SKUs of each location are asked as soon as a page names it. One list that fails fails the
 * listing: the requests of the others are cancelled, not left to run (and page) on.
 */
export async function listSubscriptionVms(
  clients: ArmClients,
  skus: SkuCatalog,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<{ vms: AzureVm[] } & ListingReport> {
  const siblings = new AbortController();
  try {
    return await listVms(clients, skus, subscriptionId, abortSignal ? AbortSignal.any([abortSignal, siblings.signal]) : siblings.signal);
  } catch (error) {
    siblings.abort(error);
    throw error;
  }
}

async function listVms(
  clients: ArmClients,
  skus: SkuCatalog,
  subscriptionId: string,
  abortSignal: AbortSignal,
): Promise<{ vms: AzureVm[] } & ListingReport> {
  const compute = clients.computeFor(subscriptionId);
  const warnings: string[] = [];
  const sizeTables = new Map<string, Promise<SizeTable | undefined>>();
  const sizeTableFor = (location: string): Promise<SizeTable | undefined> => {
    const key = location.toLowerCase();
    let table = sizeTables.get(key);
    if (!table) {
      table = skus.sizes(compute, key, abortSignal).catch((error: unknown) => {
        warnings.push(`VM sizes of ${location} could not be read; GPU counts come from the catalog. ${describeAzureError(error).message}`);
        return undefined;
      });
      sizeTables.set(key, table);
    }
    return table;
  };

  const modelsListed = (async () => {
    const models = new Map<string, VirtualMachine>();
    for await (const page of compute.virtualMachines.listAll({ abortSignal }).byPage()) {
      for (const model of page) {
        // Azure may repeat a VM across pages; one VM, one tree item.
        const key = (model.id ?? '').toLowerCase();
        if (models.has(key)) continue;
        models.set(key, model);
        void sizeTableFor(model.location);
      }
    }
    return [...models.values()];
  })();
  const statusesListed = (async () => {
    const statuses = new Map<string, readonly InstanceStatus[] | undefined>();
    for await (const vm of compute.virtualMachines.listAll({ statusOnly: 'true', abortSignal })) {
      if (vm.id) statuses.set(vm.id.toLowerCase(), vm.instanceView?.statuses);
    }
    return statuses;
  })();
  const addressesListed = loadAddressBook(
    clients.resourcesFor(subscriptionId),
    clients.environment.endpoints.resourceManager,
    subscriptionId,
    abortSignal,
  );

  const [models, statuses, addresses] = await Promise.all([modelsListed, statusesListed, addressesListed]);
  warnings.push(...addresses.warnings);
  await readMissingStatuses(compute, models, statuses, abortSignal);
  const vms = await Promise.all(
    models.map(async (model) => {
      const table = await sizeTableFor(model.location);
      const size = model.hardwareProfile?.vmSize?.toLowerCase() ?? '';
      return assembleVm(
        model,
        vmStatusFromStatuses(statuses.get((model.id ?? '').toLowerCase())),
        addresses.book.addressesOf(nicRefsOf(model)),
        table?.get(size),
      );
    }),
  );
  return { vms, warnings };
}

/** Instance views asked at once for the VMs the status list gave no power state. */
const INSTANCE_VIEW_CONCURRENCY = 8;

/**
 * Reads the instance view of each VM the status list gave no power state (one created between the
 * two lists, or listed without an instance view). One that cannot be read stays unknown, and is polled.
 */
async function readMissingStatuses(
  compute: ComputeManagementClient,
  models: readonly VirtualMachine[],
  statuses: Map<string, readonly InstanceStatus[] | undefined>,
  abortSignal?: AbortSignal,
): Promise<void> {
  const missing = models.filter((model) => vmStatusFromStatuses(statuses.get((model.id ?? '').toLowerCase())).powerState === 'unknown');
  await mapConcurrently(missing, INSTANCE_VIEW_CONCURRENCY, async (model) => {
    const id = model.id ?? '';
    const { resourceGroup, name } = parseResourceId(id);
    try {
      const view = await compute.virtualMachines.instanceView(resourceGroup, name, { abortSignal });
      statuses.set(id.toLowerCase(), view.statuses);
    } catch (error) {
      if (abortSignal?.aborted) throw error;
    }
  });
}

/** One VM, read afresh: its model with instance view, its addresses, its size's facts. */
export async function getVm(clients: ArmClients, skus: SkuCatalog, ref: VmRef, abortSignal?: AbortSignal): Promise<AzureVm> {
  const compute = clients.computeFor(ref.subscriptionId);
  const model = await compute.virtualMachines.get(ref.resourceGroup, ref.name, { expand: 'instanceView', abortSignal });
  const [addresses, table] = await Promise.all([
    loadVmAddresses(clients.resourcesFor(ref.subscriptionId), clients.environment.endpoints.resourceManager, nicRefsOf(model), abortSignal),
    skus.sizes(compute, model.location, abortSignal).catch(() => undefined),
  ]);
  return assembleVm(
    model,
    vmStatusFromStatuses(model.instanceView?.statuses),
    addresses,
    table?.get(model.hardwareProfile?.vmSize?.toLowerCase() ?? ''),
  );
}

/** Just the power state of a VM: one small request, for polling a VM in transition. */
export async function getVmStatus(clients: ArmClients, ref: VmRef, abortSignal?: AbortSignal): Promise<VmStatus> {
  const view = await clients.computeFor(ref.subscriptionId).virtualMachines.instanceView(ref.resourceGroup, ref.name, { abortSignal });
  return vmStatusFromStatuses(view.statuses);
}

function nicRefsOf(model: VirtualMachine): VmNicRef[] {
  return (model.networkProfile?.networkInterfaces ?? []).flatMap((n) => (n.id ? [{ id: n.id, primary: n.primary }] : []));
}

function nicIdsOf(model: VirtualMachine): string[] {
  return nicRefsOf(model).map((n) => n.id);
}
