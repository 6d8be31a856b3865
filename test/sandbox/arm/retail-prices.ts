/**
 * A stand-in for the Azure Retail Prices API (https://prices.azure.com/api/retail/prices), served
 * over plain HTTP on loopback: `GET /api/retail/prices?$filter=…` → `{ BillingCurrency,
 * CustomerEntityId, CustomerEntityType, Items, NextPageLink, Count }`. The filter is read as Azure's
 * OData subset is used: `field eq 'value'` clauses joined by `and`, with `or` between clauses on the
 * same field. Each VM size has Linux and Windows rows for consumption, spot ("… Spot") and low
 * priority, plus a one-year reservation, as the real API lists them.
 *
 *   const prices = await startRetailPricesStandIn({ pageSize: 2 });
 *   prices.endpoint   http://127.0.0.1:<port>/api/retail/prices
 *   prices.requestCount, prices.latencyMs = 100, prices.failNext = 500
 */
import * as http from 'http';
import { VM_SIZES, type VmSize } from './vm-sizes';

/** Linux on-demand $/hour in eastus, from Azure's published pay-as-you-go prices. */
export const LINUX_HOURLY_EASTUS: Readonly<Record<string, number>> = {
  Standard_D4s_v5: 0.192,
  Standard_D8s_v5: 0.384,
  Standard_NC4as_T4_v3: 0.526,
  Standard_NC8as_T4_v3: 0.752,
  Standard_NC64as_T4_v3: 4.352,
  Standard_NV6ads_A10_v5: 0.454,
  Standard_NV36ads_A10_v5: 3.2,
  Standard_NC24ads_A100_v4: 3.673,
  Standard_NC48ads_A100_v4: 7.346,
  Standard_NC96ads_A100_v4: 14.692,
  Standard_ND96asr_v4: 27.197,
  Standard_ND96amsr_A100_v4: 32.77,
  Standard_NC40ads_H100_v5: 6.98,
  Standard_NC80adis_H100_v5: 13.96,
  Standard_ND96isr_H100_v5: 98.32,
};

/** Regions the stand-in prices, with their factor over eastus. */
const REGION_FACTORS: Readonly<Record<string, { factor: number; location: string }>> = {
  eastus: { factor: 1, location: 'US East' },
  eastus2: { factor: 1, location: 'US East 2' },
  westus2: { factor: 1, location: 'US West 2' },
  westus3: { factor: 1, location: 'US West 3' },
  southcentralus: { factor: 1.06, location: 'US South Central' },
  westeurope: { factor: 1.18, location: 'EU West' },
  northeurope: { factor: 1.1, location: 'EU North' },
  swedencentral: { factor: 1.12, location: 'Sweden Central' },
};

const SPOT_FACTOR = 0.2;
const LOW_PRIORITY_FACTOR = 0.25;
const WINDOWS_PER_VCPU = 0.046;

type Row = Record<string, string | number | boolean>;

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}

function meterName(size: VmSize): string {
  return size.name.replace(/^Standard_/, '').replace(/_/g, ' ');
}

function rowsFor(size: VmSize, region: string, factor: number, location: string): Row[] {
  const linux = LINUX_HOURLY_EASTUS[size.name];
  if (linux === undefined) return [];
  const base = meterName(size);
  const series = `${size.name.replace(/^Standard_([A-Z]+)\d+/, '$1').replace(/_/g, ' ')} Series`;
  const row = (skuName: string, os: 'Linux' | 'Windows', price: number, type = 'Consumption'): Row => ({
    currencyCode: 'USD',
    tierMinimumUnits: 0,
    retailPrice: round(price),
    unitPrice: round(price),
    armRegionName: region,
    location,
    effectiveStartDate: '2024-01-01T00:00:00Z',
    meterId: `${region}-${size.name}-${skuName}-${os}-${type}`.toLowerCase(),
    meterName: skuName,
    productId: `DZH318Z0${size.name.length}${os[0]}`,
    skuId: `DZH318Z0${size.name.length}${os[0]}/${skuName.length}`,
    productName: `Virtual Machines ${series}${os === 'Windows' ? ' Windows' : ''}`,
    skuName,
    serviceName: 'Virtual Machines',
    serviceId: 'DZH313Z7MMC8',
    serviceFamily: 'Compute',
    unitOfMeasure: '1 Hour',
    type,
    isPrimaryMeterRegion: true,
    armSkuName: size.name,
    ...(type === 'Reservation' ? { reservationTerm: '1 Year' } : {}),
  });
  const price = linux * factor;
  const windows = price + size.vCPUs * WINDOWS_PER_VCPU;
  return [
    row(base, 'Linux', price),
    row(base, 'Windows', windows),
    row(`${base} Spot`, 'Linux', price * SPOT_FACTOR),
    row(`${base} Spot`, 'Windows', windows * SPOT_FACTOR),
    row(`${base} Low Priority`, 'Linux', price * LOW_PRIORITY_FACTOR),
    row(base, 'Linux', price * 8760 * 0.6, 'Reservation'),
  ];
}

/** Every row the stand-in knows, in a stable order. */
export function allPriceRows(): Row[] {
  return Object.entries(REGION_FACTORS).flatMap(([region, { factor, location }]) =>
    [...VM_SIZES.values()].flatMap((size) => rowsFor(size, region, factor, location)),
  );
}

/** Reads `a eq 'x' and (b eq 'y' or b eq 'z')` into field → accepted values. */
export function parsePriceFilter(filter: string): Map<string, Set<string>> {
  const clauses = new Map<string, Set<string>>();
  const pattern = /([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'/g;
  for (const match of filter.matchAll(pattern)) {
    const field = match[1].toLowerCase();
    const values = clauses.get(field) ?? new Set<string>();
    values.add(match[2].replace(/''/g, "'").toLowerCase());
    clauses.set(field, values);
  }
  return clauses;
}

function matches(row: Row, clauses: Map<string, Set<string>>): boolean {
  for (const [field, values] of clauses) {
    const key = field === 'pricetype' ? 'type' : Object.keys(row).find((k) => k.toLowerCase() === field);
    if (key === undefined || !values.has(String(row[key]).toLowerCase())) return false;
  }
  return true;
}

export interface RetailPricesStandIn {
  readonly endpoint: string;
  readonly requestCount: number;
  /** Added before each answer. */
  latencyMs: number;
  /** The next request is answered with this HTTP status (then cleared). */
  failNext?: number;
  close(): Promise<void>;
}

export async function startRetailPricesStandIn(options: { pageSize?: number; latencyMs?: number } = {}): Promise<RetailPricesStandIn> {
  const pageSize = options.pageSize ?? 1000;
  const rows = allPriceRows();
  let requestCount = 0;
  let endpoint = '';
  const standIn: RetailPricesStandIn = {
    get endpoint() {
      return endpoint;
    },
    get requestCount() {
      return requestCount;
    },
    latencyMs: options.latencyMs ?? 0,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  const server = http.createServer((request, response) => {
    requestCount++;
    const answer = (status: number, body: unknown): void => {
      const payload = JSON.stringify(body);
      response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(payload) });
      response.end(payload);
    };
    const serve = (): void => {
      const url = new URL(request.url ?? '/', endpoint);
      if (url.pathname.toLowerCase() !== '/api/retail/prices') return answer(404, { Error: 'Not found' });
      if (standIn.failNext !== undefined) {
        const status = standIn.failNext;
        standIn.failNext = undefined;
        return answer(status, { Error: { Code: 'ServiceUnavailable', Message: 'The service is temporarily unavailable.' } });
      }
      const filter = url.searchParams.get('$filter') ?? '';
      const selected = filter ? rows.filter((row) => matches(row, parsePriceFilter(filter))) : rows;
      const skip = Number(url.searchParams.get('$skip') ?? '0');
      const items = selected.slice(skip, skip + pageSize);
      let next: string | null = null;
      if (skip + pageSize < selected.length) {
        const nextUrl = new URL(url.toString());
        nextUrl.searchParams.set('$skip', String(skip + pageSize));
        next = nextUrl.toString();
      }
      answer(200, {
        BillingCurrency: 'USD',
        CustomerEntityId: 'Default',
        CustomerEntityType: 'Retail',
        Items: items,
        NextPageLink: next,
        Count: items.length,
      });
    };
    if (standIn.latencyMs > 0) setTimeout(serve, standIn.latencyMs);
    else serve();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The prices stand-in has no TCP address');
  endpoint = `http://127.0.0.1:${address.port}/api/retail/prices`;
  return standIn;
}
