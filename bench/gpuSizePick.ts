/**
 * Bench: what opening the GPU size pick waits for — a region's Resource SKUs, vCPU usages and Linux
 * prices — with 100 ms added to every request at both stand-ins. The extension's way (all three at
 * once, prices in parallel chunks, then from the day-long disk cache) against asking them one after
 * another. The goal: <= 1.5 s.
 *
 *   npx tsc -p . && node out/bench/gpuSizePick.js [rounds]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StaticTokenCredential, startArmStandIn, startRetailPricesStandIn } from '../test/sandbox/arm';
import { ArmClients } from '../src/azure/armClients';
import { resolveAzureEnvironment, type AzureEnvironment } from '../src/azure/azureEnvironment';
import type { CredentialSource } from '../src/azure/credentialSource';
import { GPU_FAMILIES } from '../src/azure/gpuCatalog';
import { loadRegionGpuSizes } from '../src/azure/gpuSizeCatalog';
import { readGpuSizeOffers } from '../src/azure/gpuSizeOffers';
import { presentGpuSize } from '../src/azure/gpuSizeRow';
import { RetailPrices, type PriceLookup } from '../src/azure/retailPrices';
import { readRegionQuota } from '../src/azure/vcpuQuota';

const LATENCY_MS = 100;
const SUBSCRIPTION = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const CATALOG_SIZES = GPU_FAMILIES.flatMap((family) => Object.keys(family.sizes));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

async function extensionPick(clients: ArmClients, prices: RetailPrices): Promise<number> {
  const [region, lookup] = await Promise.all([
    loadRegionGpuSizes(clients, SUBSCRIPTION, 'eastus'),
    prices.pricesFor('eastus', CATALOG_SIZES),
  ]);
  return region.offers.map((offer) => presentGpuSize(offer, 'eastus', region.quota, lookup)).length;
}

async function sequentialPick(clients: ArmClients, endpoint: string): Promise<number> {
  const compute = clients.computeFor(SUBSCRIPTION);
  const offers = readGpuSizeOffers(await collect(compute.resourceSkus.list({ filter: "location eq 'eastus'" })), 'eastus');
  const quota = readRegionQuota(await collect(compute.usage.list('eastus')));
  const prices = new RetailPrices({ endpoint });
  const lookups: PriceLookup[] = [];
  for (const offer of offers) lookups.push(await prices.pricesFor('eastus', [offer.name]));
  return offers.map((offer, i) => presentGpuSize(offer, 'eastus', quota, lookups[i])).length;
}

async function timed(
  environment: AzureEnvironment,
  source: CredentialSource,
  run: (clients: ArmClients) => Promise<number>,
): Promise<number> {
  const clients = new ArmClients(environment, source);
  try {
    const started = performance.now();
    const rows = await run(clients);
    if (rows === 0) throw new Error('no GPU sizes listed');
    return performance.now() - started;
  } finally {
    clients.dispose();
  }
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-size-pick-'));
  const arm = await startArmStandIn({ stateDir, latencyMs: LATENCY_MS });
  const priceApi = await startRetailPricesStandIn({ latencyMs: LATENCY_MS });
  try {
    const environment = resolveAzureEnvironment({
      cloud: 'Custom',
      resourceManagerEndpoint: arm.endpoint,
      authorityHost: '',
      caCertificate: arm.caFile,
    });
    const token = new StaticTokenCredential(arm.staticToken);
    const source: CredentialSource = { kind: 'environment', credential: () => token, refresh: async () => {} };
    const cold: number[] = [];
    const warm: number[] = [];
    const sequential: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const cacheDir = path.join(stateDir, `prices-${round}`);
      const prices = (): RetailPrices => new RetailPrices({ endpoint: priceApi.endpoint, cacheDir });
      cold.push(await timed(environment, source, (clients) => extensionPick(clients, prices())));
      warm.push(await timed(environment, source, (clients) => extensionPick(clients, prices())));
      sequential.push(await timed(environment, source, (clients) => sequentialPick(clients, priceApi.endpoint)));
      console.log(
        `round ${round + 1}: first ${cold.at(-1)!.toFixed(0)} ms, cached prices ${warm.at(-1)!.toFixed(0)} ms, one after another ${sequential.at(-1)!.toFixed(0)} ms`,
      );
    }
    console.log(
      `size pick, eastus, +${LATENCY_MS} ms per request: first ${median(cold).toFixed(0)} ms, prices cached ${median(warm).toFixed(0)} ms, ` +
        `one after another ${median(sequential).toFixed(0)} ms (medians of ${rounds}) -> ${(median(sequential) / median(cold)).toFixed(1)}x ` +
        `(goal <= 1500 ms)`,
    );
  } finally {
    await priceApi.close();
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
