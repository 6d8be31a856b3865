import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ComputeManagementClient, ResourceSku } from '@azure/arm-compute';
import {
  type ArmStandIn,
  StaticTokenCredential,
  generateLargeCloud,
  httpsRequest,
  loadCloudSpec,
  startArmStandIn,
} from '../../sandbox/arm';
import { validateCloudSpec } from '../../sandbox/arm/cloud-spec';
import { computeClient, resourcesClient, subscriptionClient } from '../../sandbox/arm/sdk-clients';
import { jsonAt, jsonArray, jsonEntries, jsonString, parseJson } from '../../json';
import { restError } from './restError';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const PRODUCTION = '8c3e1b6d-4a2f-4d7e-9c85-2b6a0e4f1d93';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) {
    result.push(item);
  }
  return result;
}

function capability(sku: ResourceSku, name: string): string | undefined {
  return sku.capabilities?.find((c) => c.name === name)?.value;
}

describe('ARM stand-in: resources through the real SDK', () => {
  let stateDir: string;
  let arm: ArmStandIn;
  let credential: StaticTokenCredential;
  let research: ComputeManagementClient;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-test-'));
    arm = await startArmStandIn({ stateDir, pageSize: 2 });
    credential = new StaticTokenCredential(arm.staticToken);
    research = computeClient(arm, credential, RESEARCH);
  });

  after(async () => {
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves HTTPS on 127.0.0.1 with a CA file and connection facts in the state dir', () => {
    assert.match(arm.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.strictEqual(fs.readFileSync(arm.caFile, 'utf8'), arm.caPem);
    assert.match(arm.caPem, /BEGIN CERTIFICATE/);
    const connection = parseJson(fs.readFileSync(path.join(stateDir, 'arm.json'), 'utf8'));
    assert.strictEqual(jsonString(connection, 'endpoint'), arm.endpoint);
    assert.strictEqual(jsonString(connection, 'tenantId'), '6d0c4f7a-2b9e-4c1d-8f3a-5e7b9a1c2d40');
  });

  it('lists every subscription and tenant for the static token, across pages', async () => {
    const client = subscriptionClient(arm, credential);
    const subscriptions = await collect(client.subscriptions.list());
    assert.deepStrictEqual(
      subscriptions.map((s) => s.displayName),
      ['ML Research (GPU)', 'ML Production', 'Fabrikam Shared GPUs'],
    );
    assert.strictEqual(subscriptions[0].subscriptionId, RESEARCH);
    assert.strictEqual(subscriptions[0].state, 'Enabled');
    const tenants = await collect(client.tenants.list());
    assert.deepStrictEqual(
      tenants.map((t) => [t.displayName, t.defaultDomain]),
      [
        ['Contoso ML', 'contosoml.onmicrosoft.com'],
        ['Fabrikam Research', 'fabrikamresearch.onmicrosoft.com'],
      ],
    );
  });

  it('pages listAll by absolute https nextLink, in several subscriptions', async () => {
    const before = arm.requestLog.length;
    const researchVms = await collect(research.virtualMachines.listAll());
    const productionVms = await collect(computeClient(arm, credential, PRODUCTION).virtualMachines.listAll());
    assert.deepStrictEqual(
      researchVms.map((vm) => [vm.name, vm.hardwareProfile?.vmSize]),
      [
        ['gpu-a100-1', 'Standard_NC48ads_A100_v4'],
        ['gpu-a100-2', 'Standard_NC48ads_A100_v4'],
        ['gpu-t4', 'Standard_NC4as_T4_v3'],
        ['dev-box', 'Standard_D4s_v5'],
      ],
    );
    assert.deepStrictEqual(
      productionVms.map((vm) => vm.name),
      ['gpu-h100', 'gpu-nd96'],
    );
    const listRequests = arm.requestLog.slice(before).map((r) => r.path);
    assert.deepStrictEqual(
      listRequests.map((p) => /\$skiptoken=(\d+)/.exec(decodeURIComponent(p))?.[1] ?? 'first'),
      ['first', '2', 'first'],
    );
    assert.strictEqual(researchVms[0].osProfile?.adminUsername, 'azureuser');
    assert.strictEqual(
      researchVms[0].id,
      `/subscriptions/${RESEARCH}/resourceGroups/rg-training/providers/Microsoft.Compute/virtualMachines/gpu-a100-1`,
    );
  });

  it('gives power states with statusOnly=true, and no model', async () => {
    const vms = await collect(research.virtualMachines.listAll({ statusOnly: 'true' }));
    const power = vms.map((vm) => [vm.name, vm.instanceView?.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code]);
    assert.deepStrictEqual(power, [
      ['gpu-a100-1', 'PowerState/running'],
      ['gpu-a100-2', 'PowerState/running'],
      ['gpu-t4', 'PowerState/deallocated'],
      ['dev-box', 'PowerState/running'],
    ]);
    assert.strictEqual(vms[0].hardwareProfile, undefined);
  });

  it('lists by resource group and gets a VM with its instance view', async () => {
    const inGroup = await collect(research.virtualMachines.list('rg-dev'));
    assert.deepStrictEqual(
      inGroup.map((vm) => vm.name),
      ['dev-box'],
    );
    const vm = await research.virtualMachines.get('rg-training', 'gpu-t4', { expand: 'instanceView' });
    assert.deepStrictEqual(
      vm.instanceView?.statuses?.map((s) => s.code),
      ['ProvisioningState/succeeded', 'PowerState/deallocated'],
    );
    const view = await research.virtualMachines.instanceView('RG-TRAINING', 'GPU-A100-2');
    assert.strictEqual(view.statuses?.[1].displayStatus, 'VM running');
  });

  it('lists resource groups through arm-resources', async () => {
    const groups = await collect(resourcesClient(arm, credential, RESEARCH).resourceGroups.list());
    assert.deepStrictEqual(
      groups.map((g) => [g.name, g.location]),
      [
        ['rg-training', 'eastus'],
        ['rg-dev', 'westus2'],
      ],
    );
  });

  it('lists Compute SKUs of a location with their GPU capabilities', async () => {
    const eastus = await collect(research.resourceSkus.list({ filter: "location eq 'eastus'" }));
    const byName = new Map(eastus.map((sku) => [sku.name, sku]));
    const a100 = byName.get('Standard_NC48ads_A100_v4')!;
    assert.deepStrictEqual([capability(a100, 'vCPUs'), capability(a100, 'GPUs'), capability(a100, 'MemoryGB')], ['48', '2', '440']);
    assert.strictEqual(capability(byName.get('Standard_ND96asr_v4')!, 'GPUs'), '8');
    assert.strictEqual(capability(byName.get('Standard_NC4as_T4_v3')!, 'GPUs'), '1');
    assert.strictEqual(capability(byName.get('Standard_D4s_v5')!, 'GPUs'), undefined);
    assert.ok(eastus.every((sku) => sku.locations?.[0] === 'eastus'));
    const westeurope = await collect(research.resourceSkus.list({ filter: "location eq 'westeurope'" }));
    assert.ok(!westeurope.some((sku) => sku.name === 'Standard_ND96asr_v4'));
    assert.ok(westeurope.length > 0);
  });

  it('gets a NIC and its public IP by id; a VM without a simulated host has no usable IP', async () => {
    const resources = resourcesClient(arm, credential, RESEARCH);
    const vm = await research.virtualMachines.get('rg-training', 'gpu-a100-1');
    const nic = await resources.resources.getById(vm.networkProfile!.networkInterfaces![0].id!, '2024-05-01');
    const ipConfiguration = jsonAt(nic.properties, 'ipConfigurations', 0, 'properties');
    assert.match(jsonString(ipConfiguration, 'privateIPAddress'), /^10\./);
    const ip = await resources.resources.getById(jsonString(ipConfiguration, 'publicIPAddress', 'id'), '2024-05-01');
    assert.strictEqual(jsonAt(ip.properties, 'ipAddress'), '127.0.0.2');

    const devBox = await research.virtualMachines.get('rg-dev', 'dev-box');
    const devNic = await resources.resources.getById(devBox.networkProfile!.networkInterfaces![0].id!, '2024-05-01');
    const devConfiguration = Object.fromEntries(jsonEntries(devNic.properties, 'ipConfigurations', 0, 'properties'));
    assert.strictEqual(devConfiguration.publicIPAddress, undefined);

    const production = resourcesClient(arm, credential, PRODUCTION);
    const h100Ip = await production.resources.getById(
      `/subscriptions/${PRODUCTION}/resourceGroups/rg-inference/providers/Microsoft.Network/publicIPAddresses/gpu-h100-ip`,
      '2024-05-01',
    );
    assert.strictEqual(jsonString(h100Ip.properties, 'publicIPAllocationMethod'), 'Dynamic');
    assert.strictEqual(jsonAt(h100Ip.properties, 'ipAddress'), undefined);
  });

  it('lists public IPs of a subscription on the Microsoft.Network path', async () => {
    const response = await httpsRequest(
      `${arm.endpoint}/subscriptions/${RESEARCH}/providers/Microsoft.Network/publicIPAddresses?api-version=2024-05-01`,
      arm.caPem,
      { headers: { Authorization: `Bearer ${arm.staticToken}` } },
    );
    assert.strictEqual(response.status, 200);
    assert.deepStrictEqual(
      jsonArray(response.json, 'value').map((ip) => jsonAt(ip, 'properties', 'ipAddress')),
      ['127.0.0.2', '127.0.0.3'],
    );
    assert.match(jsonString(response.json, 'nextLink'), new RegExp(`^${arm.endpoint.replace(/\./g, '\\.')}/subscriptions/.*skiptoken=2`));
  });

  it('answers unknown resources with 404 and an ARM error body', async () => {
    await assert.rejects(
      research.virtualMachines.get('rg-training', 'no-such-vm'),
      restError({ statusCode: 404, code: 'ResourceNotFound' }),
    );
    await assert.rejects(
      research.virtualMachines.get('rg-missing', 'gpu-t4'),
      restError({ statusCode: 404, code: 'ResourceGroupNotFound' }),
    );
    const unknown = computeClient(arm, credential, '00000000-0000-4000-8000-000000000000');
    await assert.rejects(collect(unknown.virtualMachines.listAll()), restError({ statusCode: 404, code: 'SubscriptionNotFound' }));
  });

  it('requires an api-version', async () => {
    const response = await httpsRequest(`${arm.endpoint}/subscriptions`, arm.caPem, {
      headers: { Authorization: `Bearer ${arm.staticToken}` },
    });
    assert.strictEqual(response.status, 400);
    assert.strictEqual(jsonString(response.json, 'error', 'code'), 'MissingApiVersionParameter');
  });

  it('refuses a cloud whose public IPs would leave loopback', () => {
    const cloud = loadCloudSpec();
    assert.deepStrictEqual(
      cloud.subscriptions[0].resourceGroups[0].vms.map((vm) => [vm.name, vm.publicIpAddress, vm.powerState, vm.simulatedHost]),
      [
        ['gpu-a100-1', '127.0.0.2', 'running', true],
        ['gpu-a100-2', '127.0.0.3', 'running', true],
        ['gpu-t4', '127.0.0.4', 'deallocated', true],
      ],
    );
    cloud.subscriptions[0].resourceGroups[0].vms[0].publicIpAddress = '20.42.0.7';
    assert.throws(() => validateCloudSpec(cloud), /must be a loopback address/);
  });

  it('generates a large cloud: 1,000 VMs over 20 subscriptions, listable page by page', async () => {
    const cloud = generateLargeCloud();
    assert.strictEqual(cloud.subscriptions.length, 20);
    const vmCount = cloud.subscriptions.flatMap((s) => s.resourceGroups.flatMap((g) => g.vms)).length;
    assert.strictEqual(vmCount, 1000);
    const largeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-large-'));
    const large = await startArmStandIn({ stateDir: largeDir, cloud, pageSize: 20 });
    try {
      const client = computeClient(large, new StaticTokenCredential(large.staticToken), cloud.subscriptions[7].subscriptionId);
      const vms = await collect(client.virtualMachines.listAll());
      assert.strictEqual(vms.length, 50);
      assert.strictEqual(new Set(vms.map((vm) => vm.name)).size, 50);
      assert.strictEqual(large.requestCount, 3);
    } finally {
      await large.close();
      fs.rmSync(largeDir, { recursive: true, force: true });
    }
  });
});
