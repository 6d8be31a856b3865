import * as path from 'path';
import type { ArmClients } from '../../azure/armClients';
import { GPU_FAMILIES } from '../../azure/gpuCatalog';
import type { RegionGpuSizes } from '../../azure/gpuSizeCatalog';
import type { GpuSizeOffer } from '../../azure/gpuSizeOffers';
import { presentGpuSize, type GpuSizeRow } from '../../azure/gpuSizeRow';
import { RetailPrices, type PriceLookup } from '../../azure/retailPrices';
import { azureLayer } from '../azureLayer';
import { settings } from '../settings';
import type { PickItem } from './multiStepInput';

export interface SizeChoice {
  readonly offer: GpuSizeOffer;
  readonly row: GpuSizeRow;
  readonly prices?: PriceLookup;
}

/**
 * The size pick's data for one subscription and region: sizes and quota from Azure, prices from the
 * Retail Prices API, all asked at once (prices for every catalog GPU size, so they need not wait for
 * the SKUs), kept for the flow so that Back and forth does not ask again.
 */
export class SizeCatalog {
  private readonly regions = new Map<string, { sizes: Promise<RegionGpuSizes>; prices: Promise<PriceLookup> }>();

  constructor(
    private readonly clients: ArmClients,
    private readonly storageDir: string,
  ) {}

  private load(subscriptionId: string, location: string): { sizes: Promise<RegionGpuSizes>; prices: Promise<PriceLookup> } {
    const key = `${subscriptionId}/${location}`.toLowerCase();
    let entry = this.regions.get(key);
    if (!entry) {
      const prices = new RetailPrices({ endpoint: settings.retailPricesEndpoint(), cacheDir: path.join(this.storageDir, 'retail-prices') });
      const catalogSizes = GPU_FAMILIES.flatMap((family) => Object.keys(family.sizes));
      entry = {
        sizes: azureLayer().loadRegionGpuSizes(this.clients, subscriptionId, location),
        prices: prices.pricesFor(location, catalogSizes),
      };
      entry.sizes.catch(() => this.regions.delete(key));
      this.regions.set(key, entry);
    }
    return entry;
  }

  /** The prices of a region (asked once per flow); never rejects. */
  prices(subscriptionId: string, location: string): Promise<PriceLookup> {
    return this.load(subscriptionId, location).prices;
  }

  /** The sizes and quota of a region (asked once per flow). */
  region(subscriptionId: string, location: string): Promise<RegionGpuSizes> {
    return this.load(subscriptionId, location).sizes;
  }

  /** Shows the sizes as soon as Azure answers, and again with prices when they come. */
  async items(
    subscriptionId: string,
    location: string,
    show: (items: ReadonlyArray<PickItem<SizeChoice | undefined>>) => void,
  ): Promise<void> {
    const { sizes, prices } = this.load(subscriptionId, location);
    let priceLookup: PriceLookup | undefined;
    const region = await sizes;
    const render = (): void => {
      const { offers, quota, quotaProblem } = region;
      if (offers.length === 0) {
        show([
          {
            label: `No GPU size is offered in ${location}`,
            description: 'Go back and pick another region',
            value: undefined,
            alwaysShow: true,
          },
        ]);
        return;
      }
      show(
        offers.map((offer) => {
          const row = presentGpuSize(offer, location, quota, priceLookup);
          const notes = [row.problem ? `$(warning) ${row.problem}` : undefined, quotaProblem, row.priceNote].filter(Boolean);
          return {
            label: row.name,
            description: row.facts,
            detail: notes.join(' · ') || undefined,
            value: { offer, row, prices: priceLookup },
          };
        }),
      );
    };
    render();
    void prices.then((lookup) => {
      priceLookup = lookup;
      render();
    });
  }
}
