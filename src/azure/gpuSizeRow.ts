/**
 * One GPU size as the size pick shows it:
 * `Standard_NC48ads_A100_v4 · 2× A100 80GB · 48 vCPU · 440 GB · $7.35/h · spot $1.47/h · quota 96/100 vCPU`
 * with what stops it being created (restriction, quota) said once, with numbers.
 */
import { gpuModelLabel } from './gpuCatalog';
import type { GpuSizeOffer } from './gpuSizeOffers';
import type { PriceLookup } from './retailPrices';
import { describeQuotaShortfall, quotaFit, type RegionQuota } from './vcpuQuota';

export interface GpuSizeRow {
  readonly name: string;
  /** Everything after the name, joined by " · ". */
  readonly facts: string;
  /** Set when the size cannot be created now: the restriction or the quota shortfall. */
  readonly problem?: string;
  /** Why a price is missing, for a tooltip. */
  readonly priceNote?: string;
  readonly fitsOnDemand: boolean;
  readonly fitsSpot: boolean;
}

export function formatGpuCount(count: number): string {
  if (count >= 1) return `${count}×`;
  return `1/${Math.round(1 / count)}×`;
}

export function formatHourly(dollars: number): string {
  return `$${dollars < 1 ? dollars.toFixed(3) : dollars.toFixed(2)}/h`;
}

export function presentGpuSize(
  offer: GpuSizeOffer,
  location: string,
  quota: RegionQuota | undefined,
  prices: PriceLookup | undefined,
): GpuSizeRow {
  const gpu = offer.gpuFamily ? `${formatGpuCount(offer.gpus)} ${gpuModelLabel(offer.gpuFamily.gpu)}` : `${formatGpuCount(offer.gpus)} GPU`;
  const parts = [gpu, `${offer.vCPUs} vCPU`];
  if (offer.memoryGB !== undefined) parts.push(`${offer.memoryGB} GB`);
  let priceNote: string | undefined;
  if (prices?.ok) {
    const price = prices.prices.get(offer.name.toLowerCase());
    if (price?.onDemand !== undefined) parts.push(formatHourly(price.onDemand));
    if (price?.spot !== undefined) parts.push(`spot ${formatHourly(price.spot)}`);
    if (!price) priceNote = `The Retail Prices API lists no Linux price for ${offer.name} in ${location}.`;
  } else if (prices) {
    priceNote = prices.reason;
  }
  const onDemand = quota ? quotaFit(quota, offer.family, offer.vCPUs, false) : undefined;
  const spot = quota ? quotaFit(quota, offer.family, offer.vCPUs, true) : undefined;
  if (onDemand?.counter) parts.push(`quota ${onDemand.counter.used}/${onDemand.counter.limit} vCPU`);
  const problem = offer.unavailable
    ? `${offer.name} is ${offer.unavailable}.`
    : onDemand && !onDemand.fits
      ? describeQuotaShortfall(onDemand, offer.vCPUs, location)
      : undefined;
  return {
    name: offer.name,
    facts: parts.join(' · '),
    ...(problem ? { problem } : {}),
    ...(priceNote ? { priceNote } : {}),
    fitsOnDemand: !offer.unavailable && (onDemand?.fits ?? true),
    fitsSpot: !offer.unavailable && offer.spotCapable && (spot?.fits ?? true),
  };
}
