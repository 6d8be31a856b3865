/**
 * Hourly Linux prices of VM sizes from the Azure Retail Prices API (public, no sign-in), on-demand
 * and spot, paged by `NextPageLink` and cached on disk per region for a day. A failure gives no
 * prices and the reason, never an exception: prices are a help, not a step of the flow.
 */
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage } from '../common/errors';
import { arrayField, field, isRecord, numberField, stringField } from '../common/fields';

export const DEFAULT_RETAIL_PRICES_ENDPOINT = 'https://prices.azure.com/api/retail/prices';

export interface SizePrice {
  /** $/hour, pay as you go. */
  readonly onDemand?: number;
  /** $/hour at the current spot price. */
  readonly spot?: number;
}

export type PriceLookup =
  | { readonly ok: true; readonly prices: ReadonlyMap<string, SizePrice>; readonly fromCache: boolean }
  | { readonly ok: false; readonly reason: string };

export interface PriceRowLike {
  armSkuName?: string;
  skuName?: string;
  productName?: string;
  type?: string;
  unitOfMeasure?: string;
  retailPrice?: number;
}

function priceRow(item: unknown): PriceRowLike {
  return {
    armSkuName: stringField(item, 'armSkuName'),
    skuName: stringField(item, 'skuName'),
    productName: stringField(item, 'productName'),
    type: stringField(item, 'type'),
    unitOfMeasure: stringField(item, 'unitOfMeasure'),
    retailPrice: numberField(item, 'retailPrice'),
  };
}

function sizePrice(value: unknown): SizePrice | null {
  if (!isRecord(value)) return null;
  return { onDemand: numberField(value, 'onDemand'), spot: numberField(value, 'spot') };
}

/** Linux consumption rows only; a `skuName` ending " Spot" is the spot price, "Low Priority" rows are left out. */
export function pricesFromRows(rows: Iterable<PriceRowLike>): Map<string, SizePrice> {
  const prices = new Map<string, { onDemand?: number; spot?: number }>();
  for (const row of rows) {
    if (!row.armSkuName || typeof row.retailPrice !== 'number') continue;
    if (row.type !== 'Consumption' || row.unitOfMeasure !== '1 Hour') continue;
    if (/windows$/i.test(row.productName ?? '') || /low priority$/i.test(row.skuName ?? '')) continue;
    const key = row.armSkuName.toLowerCase();
    const entry = prices.get(key) ?? {};
    const which = / spot$/i.test(row.skuName ?? '') ? 'spot' : 'onDemand';
    const current = entry[which];
    entry[which] = current === undefined ? row.retailPrice : Math.min(current, row.retailPrice);
    prices.set(key, entry);
  }
  return prices;
}

/** The `$filter` for some sizes of one region. */
export function priceFilter(region: string, sizes: readonly string[]): string {
  const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;
  const skus = sizes.map((s) => `armSkuName eq ${quote(s)}`).join(' or ');
  return `serviceName eq 'Virtual Machines' and armRegionName eq ${quote(region.toLowerCase())} and priceType eq 'Consumption' and (${skus})`;
}

interface CacheFile {
  fetchedAt: number;
  /** Lower-cased size → its prices; null when the API has none for it. */
  sizes: Record<string, SizePrice | null>;
}

export interface RetailPricesOptions {
  readonly endpoint: string;
  /** Where the day-long cache goes; no cache when absent. */
  readonly cacheDir?: string;
  readonly maxAgeMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Sizes per request, keeping the URL well under common limits. */
const SIZES_PER_REQUEST = 30;

export class RetailPrices {
  constructor(private readonly options: RetailPricesOptions) {}

  async pricesFor(region: string, sizes: readonly string[], signal?: AbortSignal): Promise<PriceLookup> {
    const wanted = [...new Set(sizes.map((s) => s.toLowerCase()))];
    const cached = this.readCache(region);
    if (cached && wanted.every((s) => s in cached.sizes)) {
      return { ok: true, prices: toMap(cached.sizes, wanted), fromCache: true };
    }
    try {
      const chunks: string[][] = [];
      for (let i = 0; i < sizes.length; i += SIZES_PER_REQUEST) chunks.push(sizes.slice(i, i + SIZES_PER_REQUEST));
      const rows = (await Promise.all(chunks.map((chunk) => this.fetchAll(priceFilter(region, chunk), signal)))).flat();
      const found = pricesFromRows(rows);
      const fresh: Record<string, SizePrice | null> = { ...(cached?.sizes ?? {}) };
      for (const size of wanted) fresh[size] = found.get(size) ?? null;
      this.writeCache(region, { fetchedAt: cached?.fetchedAt ?? this.now(), sizes: fresh });
      return { ok: true, prices: toMap(fresh, wanted), fromCache: false };
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? ` (${errorMessage(error.cause)})` : '';
      return { ok: false, reason: `Prices are unavailable: ${errorMessage(error)}${cause}` };
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async fetchAll(filter: string, signal?: AbortSignal): Promise<PriceRowLike[]> {
    const url = new URL(this.options.endpoint);
    url.searchParams.set('$filter', filter);
    const rows: PriceRowLike[] = [];
    let next: string | undefined = url.toString();
    for (let pages = 0; next && pages < 50; pages++) {
      const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
      const response = await fetch(next, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (!response.ok) throw new Error(`the Retail Prices API answered ${response.status} ${response.statusText}`);
      const page: unknown = await response.json();
      const items = arrayField(page, 'Items');
      if (!items) throw new Error('the Retail Prices API answered without Items');
      rows.push(...items.map(priceRow));
      next = stringField(page, 'NextPageLink');
    }
    return rows;
  }

  private cacheFile(region: string): string | undefined {
    const dir = this.options.cacheDir;
    return dir ? path.join(dir, `${region.toLowerCase().replace(/[^a-z0-9-]/g, '_')}.json`) : undefined;
  }

  private readCache(region: string): CacheFile | undefined {
    const file = this.cacheFile(region);
    if (!file) return undefined;
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      const fetchedAt = numberField(parsed, 'fetchedAt');
      const sizes = field(parsed, 'sizes');
      if (fetchedAt === undefined || !isRecord(sizes)) return undefined;
      const age = this.now() - fetchedAt;
      if (age < 0 || age >= (this.options.maxAgeMs ?? DAY_MS)) return undefined;
      return { fetchedAt, sizes: Object.fromEntries(Object.entries(sizes).map(([size, price]) => [size, sizePrice(price)])) };
    } catch {
      return undefined; // absent or unreadable: fetch again
    }
  }

  private writeCache(region: string, cache: CacheFile): void {
    const file = this.cacheFile(region);
    if (!file) return;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, JSON.stringify(cache));
      fs.renameSync(temporary, file);
    } catch {
      // A cache that cannot be written only costs a fetch next time.
    }
  }
}

function toMap(sizes: Record<string, SizePrice | null>, wanted: readonly string[]): Map<string, SizePrice> {
  const map = new Map<string, SizePrice>();
  for (const size of wanted) {
    const price = sizes[size];
    if (price) map.set(size, price);
  }
  return map;
}
