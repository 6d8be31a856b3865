/**
 * vCPU quota of a region, from `Microsoft.Compute/locations/{location}/usages`: a regular VM needs
 * room in its size family and in the regional total; a spot VM only in the low-priority total.
 */
export interface UsageLike {
  currentValue?: number;
  limit?: number;
  name?: { value?: string; localizedValue?: string };
}

export interface QuotaCounter {
  readonly name: string;
  readonly used: number;
  readonly limit: number;
}

export interface RegionQuota {
  readonly regional?: QuotaCounter;
  readonly lowPriority?: QuotaCounter;
  /** By lower-cased family name. */
  readonly families: ReadonlyMap<string, QuotaCounter>;
}

export function readRegionQuota(usages: Iterable<UsageLike>): RegionQuota {
  let regional: QuotaCounter | undefined;
  let lowPriority: QuotaCounter | undefined;
  const families = new Map<string, QuotaCounter>();
  for (const usage of usages) {
    const value = usage.name?.value;
    if (!value || usage.limit === undefined) continue;
    const counter = { name: usage.name?.localizedValue ?? value, used: usage.currentValue ?? 0, limit: usage.limit };
    if (value === 'cores') regional = counter;
    else if (value === 'lowPriorityCores') lowPriority = counter;
    else if (/family$/i.test(value)) families.set(value.toLowerCase(), counter);
  }
  return { regional, lowPriority, families };
}

export interface QuotaFit {
  readonly fits: boolean;
  /** The counter the size is shown against: its family (regular) or low-priority (spot). */
  readonly counter?: QuotaCounter;
  /** The first counter that has no room, with what is missing. */
  readonly shortOf?: { readonly counter: QuotaCounter; readonly needed: number };
}

/** Whether one more VM of `vCPUs` fits; a counter Azure did not list is not held against it. */
export function quotaFit(quota: RegionQuota, family: string, vCPUs: number, spot: boolean): QuotaFit {
  const counters = spot ? [quota.lowPriority] : [quota.families.get(family.toLowerCase()), quota.regional];
  const present = counters.filter((c): c is QuotaCounter => c !== undefined);
  const short = present.find((c) => c.used + vCPUs > c.limit);
  return {
    fits: short === undefined,
    counter: present[0],
    ...(short ? { shortOf: { counter: short, needed: short.used + vCPUs - short.limit } } : {}),
  };
}

/** "48 vCPUs needed; StandardNCADSA100v4Family has 96 of 100 in use in eastus". */
export function describeQuotaShortfall(fit: QuotaFit, vCPUs: number, location: string): string | undefined {
  if (!fit.shortOf) return undefined;
  const { counter } = fit.shortOf;
  return `Not enough quota: ${vCPUs} vCPUs needed, ${counter.name} has ${counter.used} of ${counter.limit} in use in ${location}. Request ${counter.used + vCPUs} or more.`;
}
