/**
 * The zone pick of a GPU size: "any zone" (Azure places it), then each zone the subscription may
 * use, then the restricted ones, shown with the reason and not to be taken. After a create failed
 * for capacity in a zone, that zone goes last with a note, and the first other zone leads.
 */
import type { GpuSizeOffer } from './gpuSizeOffers';

export interface ZoneChoice {
  /** The zone to ask for; undefined lets Azure choose. */
  readonly zone?: string;
  readonly label: string;
  readonly note?: string;
  /** False for a zone the subscription may not use the size in. */
  readonly available: boolean;
}

/**
 * [] where the region has no zones for the size: there is nothing to ask. `failed` is the zone a
 * create just failed in for capacity (its `zone` undefined when Azure had chosen).
 */
export function zoneChoices(offer: Pick<GpuSizeOffer, 'zones' | 'restrictedZones'>, failed?: { zone?: string }): ZoneChoice[] {
  const restricted = offer.restrictedZones?.zones ?? [];
  if (offer.zones.length === 0 && restricted.length === 0) return [];
  const outOfCapacity = 'out of capacity for this size just now';
  const zone = (z: string): ZoneChoice => ({ zone: z, label: `Zone ${z}`, available: true });
  const failedZone = failed?.zone;
  const others = offer.zones.filter((z) => z !== failedZone).map(zone);
  const failedOne = failedZone !== undefined && offer.zones.includes(failedZone) ? [{ ...zone(failedZone), note: outOfCapacity }] : [];
  const any: ZoneChoice = {
    label: 'Any zone',
    note: failed && failedZone === undefined ? `Azure chose a zone: ${outOfCapacity}` : 'Azure places it where it has capacity',
    available: true,
  };
  const blocked = restricted.map((z) => ({ ...zone(z), note: offer.restrictedZones!.reason, available: false }));
  // After a failure for capacity, a named other zone is likelier to succeed than the same request again.
  return failed ? [...others, any, ...failedOne, ...blocked] : [any, ...others, ...blocked];
}
