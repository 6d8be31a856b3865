/**
 * The GPU sizes a subscription may create in a region, read from the Resource SKUs API with its
 * restrictions honoured: a size restricted for the whole location is offered disabled with the
 * reason; a size restricted in some zones is offered in the zones left.
 */
import { findGpuFamily, type GpuFamily } from './gpuCatalog';

export interface SkuRestrictionLike {
  type?: string;
  reasonCode?: string;
  values?: string[];
  restrictionInfo?: { locations?: string[]; zones?: string[] };
}

export interface ResourceSkuLike {
  resourceType?: string;
  name?: string;
  family?: string;
  locations?: string[];
  locationInfo?: Array<{ location?: string; zones?: string[] }>;
  capabilities?: Array<{ name?: string; value?: string }>;
  restrictions?: SkuRestrictionLike[];
}

export interface GpuSizeOffer {
  readonly name: string;
  /** The quota family ("StandardNCADSA100v4Family"). */
  readonly family: string;
  readonly vCPUs: number;
  readonly memoryGB?: number;
  /** GPUs as the SKU counts them; a partitioned GPU as the catalog's fraction. */
  readonly gpus: number;
  readonly gpuFamily?: GpuFamily;
  readonly spotCapable: boolean;
  /** Zones the subscription may use; empty where the region has no zones. */
  readonly zones: readonly string[];
  /** Zones of the region the subscription may not use, and why; absent when none is restricted. */
  readonly restrictedZones?: { readonly zones: readonly string[]; readonly reason: string };
  /** Why the size cannot be created here, when it cannot. */
  readonly unavailable?: string;
}

const REASONS: Readonly<Record<string, string>> = {
  NotAvailableForSubscription: 'not available to this subscription in this region',
  QuotaId: "not offered for this subscription's offer type",
};

function capability(sku: ResourceSkuLike, name: string): string | undefined {
  return sku.capabilities?.find((c) => c.name?.toLowerCase() === name.toLowerCase())?.value;
}

function numberCapability(sku: ResourceSkuLike, name: string): number | undefined {
  const value = Number(capability(sku, name));
  return Number.isFinite(value) && capability(sku, name) !== undefined ? value : undefined;
}

function reasonOf(restriction: SkuRestrictionLike): string {
  return REASONS[restriction.reasonCode ?? ''] ?? `restricted (${restriction.reasonCode ?? 'no reason given'})`;
}

/** One offer per GPU size of the location, sorted by GPU count then vCPUs; sizes without GPUs are left out. */
export function readGpuSizeOffers(skus: Iterable<ResourceSkuLike>, location: string): GpuSizeOffer[] {
  const offers: GpuSizeOffer[] = [];
  const here = location.toLowerCase();
  for (const sku of skus) {
    if (sku.resourceType !== 'virtualMachines' || !sku.name) continue;
    if (sku.locations && !sku.locations.some((l) => l.toLowerCase() === here)) continue;
    const known = findGpuFamily(sku.name);
    const skuGpus = numberCapability(sku, 'GPUs');
    const gpus = known?.catalogCount !== undefined && known.catalogCount < 1 ? known.catalogCount : (skuGpus ?? known?.catalogCount);
    if (!gpus) continue;
    const restrictions = (sku.restrictions ?? []).filter(
      (r) => !r.restrictionInfo?.locations || r.restrictionInfo.locations.some((l) => l.toLowerCase() === here),
    );
    const locationRestriction = restrictions.find((r) => r.type === 'Location');
    const restrictedZones = new Set(restrictions.filter((r) => r.type === 'Zone').flatMap((r) => r.restrictionInfo?.zones ?? []));
    const allZones = sku.locationInfo?.find((info) => info.location?.toLowerCase() === here)?.zones ?? [];
    const zones = [...allZones].filter((z) => !restrictedZones.has(z)).sort();
    const zoneRestriction = restrictions.find((r) => r.type === 'Zone');
    const restrictedHere = [...allZones].filter((z) => restrictedZones.has(z)).sort();
    let unavailable = locationRestriction ? reasonOf(locationRestriction) : undefined;
    if (!unavailable && allZones.length > 0 && zones.length === 0) {
      unavailable = `${reasonOf(restrictions.find((r) => r.type === 'Zone')!)} in any zone`;
    }
    offers.push({
      name: sku.name,
      family: sku.family ?? '',
      vCPUs: numberCapability(sku, 'vCPUs') ?? 0,
      memoryGB: numberCapability(sku, 'MemoryGB'),
      gpus,
      gpuFamily: known?.family,
      spotCapable: capability(sku, 'LowPriorityCapable')?.toLowerCase() === 'true',
      zones,
      ...(zoneRestriction && restrictedHere.length > 0
        ? { restrictedZones: { zones: restrictedHere, reason: reasonOf(zoneRestriction) } }
        : {}),
      ...(unavailable ? { unavailable } : {}),
    });
  }
  return offers.sort((a, b) => a.gpus - b.gpus || a.vCPUs - b.vCPUs || a.name.localeCompare(b.name));
}
