import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LINUX_HOURLY_EASTUS, startRetailPricesStandIn, type RetailPricesStandIn } from '../../sandbox/arm';
import { RetailPrices } from '../../../src/azure/retailPrices';

const SIZES = ['Standard_NC48ads_A100_v4', 'Standard_NC24ads_A100_v4', 'Standard_NC4as_T4_v3'];
const DAY_MS = 24 * 60 * 60 * 1000;

describe('Retail prices against the prices stand-in', () => {
  let prices: RetailPricesStandIn;
  let cacheDir: string;

  beforeEach(async () => {
    prices = await startRetailPricesStandIn({ pageSize: 2 });
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retail-prices-'));
  });

  afterEach(async () => {
    await prices.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('reads Linux on-demand and spot prices across pages, leaving out Windows, low priority and reservations', async () => {
    const client = new RetailPrices({ endpoint: prices.endpoint, cacheDir });
    const lookup = await client.pricesFor('eastus', SIZES);
    assert.ok(lookup.ok, JSON.stringify(lookup));
    for (const size of SIZES) {
      const price = lookup.prices.get(size.toLowerCase());
      assert.strictEqual(price?.onDemand, LINUX_HOURLY_EASTUS[size], size);
      assert.ok(price.spot !== undefined && price.spot < price.onDemand, `${size} has a lower spot price`);
    }
    assert.ok(prices.requestCount > 1, `followed NextPageLink (${prices.requestCount} requests)`);
  });

  it('answers from the disk cache for a day, then asks again', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const client = (): RetailPrices => new RetailPrices({ endpoint: prices.endpoint, cacheDir, now: () => now });
    const first = await client().pricesFor('eastus', SIZES);
    const requests = prices.requestCount;
    now += DAY_MS - 60_000;
    const cached = await client().pricesFor('eastus', SIZES.slice(0, 2));
    assert.ok(cached.ok && cached.fromCache, 'a new client reads the cache written by the first');
    assert.strictEqual(prices.requestCount, requests);
    assert.deepStrictEqual(cached.ok && cached.prices.get(SIZES[0].toLowerCase()), first.ok && first.prices.get(SIZES[0].toLowerCase()));
    now += 2 * 60_000;
    const fresh = await client().pricesFor('eastus', SIZES);
    assert.ok(fresh.ok && !fresh.fromCache);
    assert.ok(prices.requestCount > requests);
  });

  it('gives no prices, with the reason, when the API fails or cannot be reached', async () => {
    prices.failNext = 503;
    const failed = await new RetailPrices({ endpoint: prices.endpoint, cacheDir }).pricesFor('eastus', SIZES);
    assert.ok(!failed.ok && /503/.test(failed.reason), JSON.stringify(failed));
    const endpoint = prices.endpoint;
    await prices.close();
    const offline = await new RetailPrices({ endpoint, cacheDir, timeoutMs: 2000 }).pricesFor('eastus', SIZES);
    assert.ok(!offline.ok && /Prices are unavailable/.test(offline.reason), JSON.stringify(offline));
    prices = await startRetailPricesStandIn(); // for afterEach
  });
});
