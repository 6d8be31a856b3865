/**
 * Bench: listing 1,000 VMs over 20 subscriptions, with 50 ms added to every request at the ARM
 * stand-in, the extension's way (ClusterInventory: subscriptions in parallel, each subscription's
 * lists at once) against a sequential listing of the same data with the same SDK clients. Prints
 * both times and the ratio; the goal is >= 10x.
 *
 *   npx tsc -p . && node out/bench/clustersListing.js [rounds]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateLargeCloud, startArmStandIn } from '../test/sandbox/arm';
import { ArmClients } from '../src/azure/armClients';
import { armListAll } from '../src/azure/armGet';
import { resolveAzureEnvironment } from '../src/azure/azureEnvironment';
import { ClusterInventory } from '../src/azure/clusterInventory';
import { environmentCredentialSource } from '../src/azure/environmentCredential';
import { NETWORK_API_VERSION } from '../src/azure/networkAddresses';

const LATENCY_MS = 50;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

/** The same data as the extension lists, one request at a time; SKUs asked once per location too. */
async function sequentialListing(clients: ArmClients): Promise<number> {
  let vmCount = 0;
  const skusByLocation = new Map<string, unknown[]>();
  const subscriptions = await collect(clients.subscriptions().subscriptions.list());
  for (const subscription of subscriptions) {
    const id = subscription.subscriptionId!;
    const compute = clients.computeFor(id);
    const models = await collect(compute.virtualMachines.listAll());
    await collect(compute.virtualMachines.listAll({ statusOnly: 'true' }));
    const base = `${clients.environment.endpoints.resourceManager}/subscriptions/${id}/providers/Microsoft.Network`;
    await armListAll(clients.resourcesFor(id), `${base}/networkInterfaces?api-version=${NETWORK_API_VERSION}`);
    await armListAll(clients.resourcesFor(id), `${base}/publicIPAddresses?api-version=${NETWORK_API_VERSION}`);
    for (const location of new Set(models.map((m) => m.location))) {
      if (!skusByLocation.has(location))
        skusByLocation.set(location, await collect(compute.resourceSkus.list({ filter: `location eq '${location}'` })));
    }
    vmCount += models.length;
  }
  return vmCount;
}

async function extensionListing(clients: ArmClients): Promise<number> {
  const inventory = new ClusterInventory();
  try {
    await inventory.connect(clients, []);
    if (inventory.state.status !== 'ready') throw new Error(`listing failed: ${JSON.stringify(inventory.state)}`);
    const failed = inventory.state.subscriptions.filter((e) => e.listing.status !== 'loaded');
    if (failed.length > 0) throw new Error(`${failed.length} subscriptions failed: ${JSON.stringify(failed[0].listing)}`);
    return inventory.allVms().length;
  } finally {
    inventory.dispose();
  }
}

/** Times a listing with clients of its own, so that no run reuses another's connections or SKU cache. */
async function timed(clients: ArmClients, run: (clients: ArmClients) => Promise<number>): Promise<{ ms: number; vms: number }> {
  try {
    const started = performance.now();
    const vms = await run(clients);
    return { ms: performance.now() - started, vms };
  } finally {
    clients.dispose();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-clusters-'));
  const cloud = generateLargeCloud({ subscriptions: 20, vmsPerSubscription: 50 });
  const arm = await startArmStandIn({ stateDir, cloud });
  try {
    const environment = resolveAzureEnvironment({
      cloud: 'Custom',
      resourceManagerEndpoint: arm.endpoint,
      authorityHost: arm.endpoint,
      caCertificate: arm.caFile,
    });
    const credentials = environmentCredentialSource(environment, {
      AZURE_TENANT_ID: arm.tenantId,
      AZURE_CLIENT_ID: arm.clientId,
      AZURE_CLIENT_SECRET: arm.clientSecret,
    });
    // One token and warm connections for both, before any timing.
    await timed(new ArmClients(environment, credentials), extensionListing);
    arm.updateSettings({ latencyMs: LATENCY_MS });

    const extension: number[] = [];
    const sequential: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const ours = await timed(new ArmClients(environment, credentials), extensionListing);
      const theirs = await timed(new ArmClients(environment, credentials), sequentialListing);
      if (ours.vms !== 1000 || theirs.vms !== 1000) throw new Error(`expected 1000 VMs, listed ${ours.vms} and ${theirs.vms}`);
      extension.push(ours.ms);
      sequential.push(theirs.ms);
      console.log(`round ${round + 1}: extension ${ours.ms.toFixed(0)} ms, sequential ${theirs.ms.toFixed(0)} ms`);
    }
    const ratio = median(sequential) / median(extension);
    console.log(
      `1000 VMs / 20 subscriptions, +${LATENCY_MS} ms per request: extension ${median(extension).toFixed(0)} ms, ` +
        `sequential ${median(sequential).toFixed(0)} ms (medians of ${rounds}) -> ${ratio.toFixed(1)}x faster (goal >= 10x)`,
    );
  } finally {
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
