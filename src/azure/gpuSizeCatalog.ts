/**
 * What the size pick needs of Azure for one subscription and region, asked in parallel: the GPU
 * sizes (Resource SKUs, restrictions honoured) and the vCPU quota (usages). Quota is a help: when it
 * cannot be read the sizes are still offered, with the reason.
 */
import { errorMessage } from '../common/errors';
import type { ArmClients } from './armClients';
import { readGpuSizeOffers, type GpuSizeOffer, type ResourceSkuLike } from './gpuSizeOffers';
import { readRegionQuota, type RegionQuota, type UsageLike } from './vcpuQuota';

export interface RegionGpuSizes {
  readonly offers: readonly GpuSizeOffer[];
  readonly quota?: RegionQuota;
  /** Why the quota is missing. */
  readonly quotaProblem?: string;
}

export async function loadRegionGpuSizes(
  clients: ArmClients,
  subscriptionId: string,
  location: string,
  signal?: AbortSignal,
): Promise<RegionGpuSizes> {
  const compute = clients.computeFor(subscriptionId);
  const skus = (async () => {
    const list: ResourceSkuLike[] = [];
    for await (const sku of compute.resourceSkus.list({ filter: `location eq '${location}'`, abortSignal: signal })) list.push(sku);
    return list;
  })();
  const usages = (async () => {
    const list: UsageLike[] = [];
    for await (const usage of compute.usage.list(location, { abortSignal: signal })) list.push(usage);
    return list;
  })();
  const [skuResult, usageResult] = await Promise.allSettled([skus, usages]);
  if (skuResult.status === 'rejected') throw skuResult.reason;
  const offers = readGpuSizeOffers(skuResult.value, location);
  if (usageResult.status === 'rejected') {
    return { offers, quotaProblem: `The vCPU quota could not be read: ${errorMessage(usageResult.reason)}` };
  }
  return { offers, quota: readRegionQuota(usageResult.value) };
}
