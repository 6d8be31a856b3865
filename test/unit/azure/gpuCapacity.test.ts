import * as assert from 'assert';
import { arrayField, field } from '../../../src/common/fields';
import { readGpuSizeOffers, type ResourceSkuLike } from '../../../src/azure/gpuSizeOffers';
import { formatGpuCount, presentGpuSize } from '../../../src/azure/gpuSizeRow';
import {
  GPU_IMAGES,
  hostKeyCloudConfig,
  OWNER_TAG,
  parseImageUrn,
  planGpuVm,
  sshSourceProblem,
  vmNameProblem,
} from '../../../src/azure/gpuVmPlan';
import { priceFilter, pricesFromRows, type PriceRowLike } from '../../../src/azure/retailPrices';
import { displayState, vmStatusFromStatuses } from '../../../src/azure/powerState';
import { quotaFit, readRegionQuota } from '../../../src/azure/vcpuQuota';
import { zoneChoices } from '../../../src/azure/zoneChoices';

function sku(name: string, family: string, vCPUs: number, gpus: number | undefined, extra: Partial<ResourceSkuLike> = {}): ResourceSkuLike {
  return {
    resourceType: 'virtualMachines',
    name,
    family,
    locations: ['eastus'],
    locationInfo: [{ location: 'eastus', zones: ['1', '2', '3'] }],
    capabilities: [
      { name: 'vCPUs', value: String(vCPUs) },
      { name: 'MemoryGB', value: String(vCPUs * 9) },
      { name: 'LowPriorityCapable', value: 'True' },
      ...(gpus === undefined ? [] : [{ name: 'GPUs', value: String(gpus) }]),
    ],
    restrictions: [],
    ...extra,
  };
}

const A100 = sku('Standard_NC48ads_A100_v4', 'StandardNCADSA100v4Family', 48, 2, {
  capabilities: [
    { name: 'vCPUs', value: '48' },
    { name: 'MemoryGB', value: '440' },
    { name: 'GPUs', value: '2' },
    { name: 'LowPriorityCapable', value: 'True' },
  ],
});

const USAGES = [
  { name: { value: 'cores', localizedValue: 'Total Regional vCPUs' }, currentValue: 100, limit: 350 },
  { name: { value: 'StandardNCADSA100v4Family', localizedValue: 'Standard NCADS_A100_v4 Family vCPUs' }, currentValue: 96, limit: 100 },
  { name: { value: 'lowPriorityCores', localizedValue: 'Total Regional Low-priority vCPUs' }, currentValue: 0, limit: 100 },
  { name: { value: 'virtualMachines', localizedValue: 'Virtual Machines' }, currentValue: 3, limit: 25000 },
];

describe('GPU sizes from Resource SKUs', () => {
  it('keeps GPU sizes only, sorted by GPUs then vCPUs, the partitioned A10 as its fraction', () => {
    const offers = readGpuSizeOffers(
      [
        sku('Standard_D4s_v5', 'standardDSv5Family', 4, undefined),
        A100,
        sku('Standard_NV6ads_A10_v5', 'StandardNVADSA10v5Family', 6, 1),
        sku('Standard_NC4as_T4_v3', 'x', 4, 1),
      ],
      'eastus',
    );
    assert.deepStrictEqual(
      offers.map((o) => [o.name, o.gpus]),
      [
        ['Standard_NV6ads_A10_v5', 1 / 6],
        ['Standard_NC4as_T4_v3', 1],
        ['Standard_NC48ads_A100_v4', 2],
      ],
    );
  });

  it('a Location restriction disables the size with the reason; Zone restrictions remove zones', () => {
    const [located] = readGpuSizeOffers(
      [
        {
          ...A100,
          restrictions: [
            { type: 'Location', values: ['eastus'], restrictionInfo: { locations: ['eastus'] }, reasonCode: 'NotAvailableForSubscription' },
          ],
        },
      ],
      'eastus',
    );
    assert.match(located.unavailable ?? '', /not available to this subscription/);
    const [zoned] = readGpuSizeOffers(
      [
        {
          ...A100,
          restrictions: [
            { type: 'Zone', restrictionInfo: { locations: ['eastus'], zones: ['1', '3'] }, reasonCode: 'NotAvailableForSubscription' },
          ],
        },
      ],
      'eastus',
    );
    assert.deepStrictEqual([zoned.zones, zoned.unavailable], [['2'], undefined]);
    assert.deepStrictEqual(zoned.restrictedZones, { zones: ['1', '3'], reason: 'not available to this subscription in this region' });
    const [allZones] = readGpuSizeOffers(
      [
        {
          ...A100,
          restrictions: [{ type: 'Zone', restrictionInfo: { locations: ['eastus'], zones: ['1', '2', '3'] }, reasonCode: 'QuotaId' }],
        },
      ],
      'eastus',
    );
    assert.match(allZones.unavailable ?? '', /offer type in any zone/);
  });

  it('a restriction for another location does not apply', () => {
    const [offer] = readGpuSizeOffers(
      [
        {
          ...A100,
          restrictions: [{ type: 'Location', restrictionInfo: { locations: ['westus'] }, reasonCode: 'NotAvailableForSubscription' }],
        },
      ],
      'eastus',
    );
    assert.strictEqual(offer.unavailable, undefined);
  });
});

describe('the zone pick', () => {
  const restricted = { zones: ['2'], reason: 'not available to this subscription in this region' };
  const shape = (choices: ReturnType<typeof zoneChoices>): string[] =>
    choices.map((c) => `${c.label}${c.available ? '' : ' (blocked)'}${c.zone === undefined ? '' : ` [${c.zone}]`}`);

  it('offers any zone first, then the zones the subscription may use, then the restricted ones, which cannot be taken', () => {
    const choices = zoneChoices({ zones: ['1', '3'], restrictedZones: restricted });
    assert.deepStrictEqual(shape(choices), ['Any zone', 'Zone 1 [1]', 'Zone 3 [3]', 'Zone 2 (blocked) [2]']);
    assert.strictEqual(choices[3].note, restricted.reason);
  });

  it('asks nothing where the region has no zones', () => {
    assert.deepStrictEqual(zoneChoices({ zones: [] }), []);
  });

  it('after a zone ran out of capacity, leads with the other zones and puts that one last with the reason', () => {
    const choices = zoneChoices({ zones: ['1', '2', '3'] }, { zone: '2' });
    assert.deepStrictEqual(shape(choices), ['Zone 1 [1]', 'Zone 3 [3]', 'Any zone', 'Zone 2 [2]']);
    assert.match(choices[3].note ?? '', /out of capacity/);
    const afterAny = zoneChoices({ zones: ['1', '3'], restrictedZones: restricted }, {});
    assert.deepStrictEqual(shape(afterAny), ['Zone 1 [1]', 'Zone 3 [3]', 'Any zone', 'Zone 2 (blocked) [2]']);
    assert.match(afterAny[2].note ?? '', /Azure chose a zone: out of capacity/);
  });
});

describe('vCPU quota', () => {
  const quota = readRegionQuota(USAGES);

  it('a regular VM needs room in its family and the regional total', () => {
    assert.deepStrictEqual(quotaFit(quota, 'standardncadsa100v4family', 4, false), {
      fits: true,
      counter: { name: 'Standard NCADS_A100_v4 Family vCPUs', used: 96, limit: 100 },
    });
    const short = quotaFit(quota, 'StandardNCADSA100v4Family', 48, false);
    assert.deepStrictEqual([short.fits, short.shortOf?.needed, short.shortOf?.counter.limit], [false, 44, 100]);
    const regional = quotaFit(
      readRegionQuota([
        { ...USAGES[0], currentValue: 340 },
        { ...USAGES[1], currentValue: 0 },
      ]),
      'StandardNCADSA100v4Family',
      24,
      false,
    );
    assert.strictEqual(regional.shortOf?.counter.name, 'Total Regional vCPUs');
  });

  it('a spot VM needs room in the low-priority total only', () => {
    assert.strictEqual(quotaFit(quota, 'StandardNCADSA100v4Family', 48, true).fits, true);
    assert.strictEqual(quotaFit(quota, 'StandardNCADSA100v4Family', 101, true).shortOf?.counter.name, 'Total Regional Low-priority vCPUs');
  });
});

describe('Retail price rows', () => {
  const row = (skuName: string, productName: string, retailPrice: number, type = 'Consumption'): PriceRowLike => ({
    armSkuName: 'Standard_NC48ads_A100_v4',
    skuName,
    productName,
    type,
    unitOfMeasure: '1 Hour',
    retailPrice,
  });

  it('reads Linux on-demand and " Spot" rows, and nothing else', () => {
    const prices = pricesFromRows([
      row('NC48ads A100 v4', 'Virtual Machines NCads A100 v4 Series', 7.346),
      row('NC48ads A100 v4', 'Virtual Machines NCads A100 v4 Series Windows', 9.554),
      row('NC48ads A100 v4 Spot', 'Virtual Machines NCads A100 v4 Series', 1.4692),
      row('NC48ads A100 v4 Low Priority', 'Virtual Machines NCads A100 v4 Series', 1.8365),
      row('NC48ads A100 v4', 'Virtual Machines NCads A100 v4 Series', 38000, 'Reservation'),
    ]);
    assert.deepStrictEqual(prices.get('standard_nc48ads_a100_v4'), { onDemand: 7.346, spot: 1.4692 });
  });

  it('filters by service, region, consumption and the sizes, quoting values', () => {
    assert.strictEqual(
      priceFilter('EastUS', ['Standard_NC24ads_A100_v4', "O'Brien"]),
      "serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and priceType eq 'Consumption' and (armSkuName eq 'Standard_NC24ads_A100_v4' or armSkuName eq 'O''Brien')",
    );
  });
});

describe('GPU size row', () => {
  const [offer] = readGpuSizeOffers([A100], 'eastus');

  it('reads like the issue: GPUs, vCPU, memory, both prices, family quota', () => {
    const row = presentGpuSize(offer, 'eastus', readRegionQuota(USAGES), {
      ok: true,
      fromCache: false,
      prices: new Map([['standard_nc48ads_a100_v4', { onDemand: 7.346, spot: 1.4692 }]]),
    });
    assert.strictEqual(
      `${row.name} · ${row.facts}`,
      'Standard_NC48ads_A100_v4 · 2× A100 80GB · 48 vCPU · 440 GB · $7.35/h · spot $1.47/h · quota 96/100 vCPU',
    );
    assert.strictEqual(row.fitsOnDemand, false);
    assert.strictEqual(row.fitsSpot, true);
    assert.match(row.problem ?? '', /48 vCPUs needed, Standard NCADS_A100_v4 Family vCPUs has 96 of 100 in use in eastus/);
  });

  it('without prices says why; without quota claims no fit it does not know', () => {
    const row = presentGpuSize(offer, 'eastus', undefined, { ok: false, reason: 'Prices are unavailable: fetch failed' });
    assert.strictEqual(row.facts, '2× A100 80GB · 48 vCPU · 440 GB');
    assert.strictEqual(row.priceNote, 'Prices are unavailable: fetch failed');
    assert.deepStrictEqual([row.fitsOnDemand, row.problem], [true, undefined]);
  });

  it('writes fractions of a GPU as such', () => {
    assert.deepStrictEqual([formatGpuCount(1 / 6), formatGpuCount(8)], ['1/6×', '8×']);
  });
});

describe('GPU VM plan', () => {
  const request = {
    subscriptionId: 'sub',
    location: 'eastus',
    resourceGroup: 'rg',
    newResourceGroup: true,
    name: 'trainer',
    size: 'Standard_NC24ads_A100_v4',
    spot: true,
    image: GPU_IMAGES[0].reference,
    osDiskGB: 256,
    sshPublicKey: 'ssh-ed25519 AAAA user',
    sshSource: '203.0.113.0/24',
  };

  it('tags everything with the VM, opens only SSH from the given range, spot with Deallocate and max price -1', () => {
    const plan = planGpuVm(request);
    for (const resource of [plan.nsg, plan.vnet, plan.publicIp, plan.nic]) {
      assert.deepStrictEqual(field(resource.body, 'tags'), { [OWNER_TAG]: 'trainer' }, resource.kind);
    }
    assert.deepStrictEqual(plan.vm.tags, { [OWNER_TAG]: 'trainer' });
    const rules = arrayField(field(plan.nsg.body, 'properties'), 'securityRules') ?? [];
    const rule = (r: unknown, name: string): unknown => field(field(r, 'properties'), name);
    assert.deepStrictEqual(
      rules.map((r) => [rule(r, 'destinationPortRange'), rule(r, 'sourceAddressPrefix'), rule(r, 'access')]),
      [['22', '203.0.113.0/24', 'Allow']],
    );
    assert.deepStrictEqual([plan.vm.priority, plan.vm.evictionPolicy, plan.vm.billingProfile], ['Spot', 'Deallocate', { maxPrice: -1 }]);
    assert.strictEqual(plan.vm.osProfile?.customData, undefined, 'no host key, no custom data');
    assert.strictEqual(planGpuVm({ ...request, spot: false }).vm.priority, undefined);
  });

  it('gives the host key to cloud-init and generates no other', () => {
    const hostKey = {
      privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n',
      publicKey: 'ssh-ed25519 AAAAhost trainer',
    };
    const config = hostKeyCloudConfig(hostKey);
    assert.strictEqual(
      config,
      '#cloud-config\nssh_deletekeys: true\nssh_genkeytypes: []\nssh_keys:\n  ed25519_private: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    abc\n    -----END OPENSSH PRIVATE KEY-----\n  ed25519_public: ssh-ed25519 AAAAhost trainer\n',
    );
    const customData = planGpuVm({ ...request, hostKey }).vm.osProfile?.customData ?? '';
    assert.strictEqual(Buffer.from(customData, 'base64').toString('utf8'), config);
  });

  it('checks names, address ranges and image URNs', () => {
    assert.strictEqual(vmNameProblem('gpu-a100-1'), undefined);
    assert.ok(vmNameProblem('bad_name'));
    assert.ok(vmNameProblem('ends-'));
    assert.strictEqual(sshSourceProblem('*'), undefined);
    assert.strictEqual(sshSourceProblem('198.51.100.7'), undefined);
    assert.ok(sshSourceProblem('198.51.100.0/33'));
    assert.ok(sshSourceProblem('300.1.1.1'));
    assert.deepStrictEqual(parseImageUrn('Canonical:ubuntu-24_04-lts:server:latest'), {
      publisher: 'Canonical',
      offer: 'ubuntu-24_04-lts',
      sku: 'server',
      version: 'latest',
    });
    assert.strictEqual(parseImageUrn('Canonical:ubuntu'), undefined);
  });
});

describe('a VM being created', () => {
  it('shows as creating until Azure reports it provisioned, and as failed when the create failed', () => {
    const creating = vmStatusFromStatuses([{ code: 'ProvisioningState/creating' }, { code: 'PowerState/starting' }]);
    assert.deepStrictEqual([creating.powerState, displayState(creating)], ['starting', 'creating']);
    const created = vmStatusFromStatuses([{ code: 'ProvisioningState/succeeded' }, { code: 'PowerState/running' }]);
    assert.strictEqual(displayState(created), 'running');
    const failed = vmStatusFromStatuses([{ code: 'ProvisioningState/failed/AllocationFailed', message: 'Allocation failed.' }]);
    assert.strictEqual(displayState(failed), 'failed');
  });
});
