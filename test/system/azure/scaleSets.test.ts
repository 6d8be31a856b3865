import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type ArmStandIn, type CloudSpec, loadCloudSpec, startArmStandIn } from '../../sandbox/arm';
import { AzureAccount, type AccountHost } from '../../../src/azure/azureAccount';
import type { ArmClients } from '../../../src/azure/armClients';
import { getVm } from '../../../src/azure/machines';
import { ScaleSetInventory } from '../../../src/azure/scaleSetInventory';
import {
  getScaleSet,
  listSubscriptionScaleSets,
  runScaleSetAction,
  scaleOutQuotaShortfall,
  scaleScaleSet,
} from '../../../src/azure/scaleSets';
import type { AzureScaleSet } from '../../../src/azure/scaleSet';
import { SkuCatalog } from '../../../src/azure/skuCatalog';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';

/** cloud.json (with its Uniform A100 set) plus a Flexible GPU set and a set without GPUs. */
function cloudWithMoreScaleSets(): CloudSpec {
  const cloud = loadCloudSpec();
  const training = cloud.subscriptions.find((s) => s.subscriptionId === RESEARCH)!.resourceGroups.find((g) => g.name === 'rg-training')!;
  training.scaleSets = [
    ...(training.scaleSets ?? []),
    { name: 'vmss-flex-t4', size: 'Standard_NC4as_T4_v3', capacity: 2, orchestrationMode: 'Flexible', powerState: 'deallocated' },
    { name: 'vmss-web', size: 'Standard_D4s_v5', capacity: 3 },
  ];
  return cloud;
}

function sandboxHost(arm: ArmStandIn): AccountHost {
  return {
    settings: () => ({
      cloud: 'Custom',
      resourceManagerEndpoint: arm.endpoint,
      authorityHost: arm.endpoint,
      caCertificate: arm.caFile,
      credential: 'environment',
      tenant: '',
      subscriptions: [],
    }),
    environmentVariables: () => ({ AZURE_TENANT_ID: arm.tenantId, AZURE_CLIENT_ID: arm.clientId, AZURE_CLIENT_SECRET: arm.clientSecret }),
    session: () => Promise.resolve(undefined),
    pickTenant: () => Promise.resolve(undefined),
    memory: { get: () => undefined, set: () => Promise.resolve() },
  };
}

function states(set: AzureScaleSet): string[] {
  return set.instances.map((instance) => `${instance.instanceId}:${instance.vm.status.powerState}`);
}

describe('VM scale sets against the ARM stand-in', function () {
  this.timeout(60_000);
  let stateDir: string;
  let arm: ArmStandIn;
  let clients: ArmClients;
  const skus = new SkuCatalog();

  async function scaleSetNamed(name: string): Promise<AzureScaleSet> {
    const { scaleSets } = await listSubscriptionScaleSets(clients, skus, RESEARCH);
    const found = scaleSets.find((set) => set.name === name);
    assert.ok(found, `${name} is listed`);
    return found;
  }

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-sets-'));
    // One item per page, so that every list is paged.
    arm = await startArmStandIn({ stateDir, cloud: cloudWithMoreScaleSets(), pageSize: 1, operationMs: 200 });
    const connected = await new AzureAccount(sandboxHost(arm), { retryDelayMs: 20, pollIntervalMs: 50 }).connect();
    assert.ok(connected);
    clients = connected;
  });

  after(async () => {
    clients?.dispose();
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  beforeEach(() => arm.operations.clearFailures());

  it('lists the GPU scale sets of both orchestration modes, with GPUs per instance, and leaves out those without GPUs', async () => {
    const { scaleSets, warnings } = await listSubscriptionScaleSets(clients, skus, RESEARCH);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(
      scaleSets.map((set) => [
        set.name,
        set.orchestration,
        set.size,
        set.capacity,
        set.gpus?.count,
        set.gpus?.model?.name,
        set.gpus?.model?.memoryGB,
      ]),
      [
        ['vmss-a100', 'Uniform', 'Standard_NC24ads_A100_v4', 2, 1, 'A100', 80],
        ['vmss-flex-t4', 'Flexible', 'Standard_NC4as_T4_v3', 2, 1, 'T4', 16],
      ],
    );
    assert.ok(
      arm.requestLog.some((r) => r.path.includes('skiptoken') && /virtualMachineScaleSets\?/i.test(r.path)),
      'scale set pages were followed',
    );
  });

  it("lists a Uniform set's instances with their power states and addresses, lowest instance id first", async () => {
    const set = await scaleSetNamed('vmss-a100');
    assert.deepStrictEqual(states(set), ['0:running', '1:running']);
    assert.deepStrictEqual(
      set.instances.map(({ vm }) => [vm.name, vm.publicIp, vm.privateIp?.startsWith('10.'), vm.osUser, vm.gpus?.count]),
      [
        ['vmss-a100_0', '127.0.0.21', true, 'azureuser', 1],
        ['vmss-a100_1', '127.0.0.22', true, 'azureuser', 1],
      ],
    );
    assert.match(set.instances[0].vm.id, /\/virtualMachineScaleSets\/vmss-a100\/virtualMachines\/0$/);
  });

  it("lists a Flexible set's instances as the VMs that name it, which the VM APIs read", async () => {
    const set = await scaleSetNamed('vmss-flex-t4');
    assert.deepStrictEqual(
      set.instances.map(({ vm }) => vm.status.powerState),
      ['deallocated', 'deallocated'],
    );
    const [first] = set.instances;
    assert.strictEqual(first.instanceId, first.vm.name);
    assert.match(first.vm.id, /\/providers\/Microsoft\.Compute\/virtualMachines\/vmss-flex-t4_/);
    const read = await getVm(clients, skus, first.vm);
    assert.strictEqual(read.status.powerState, 'deallocated');
  });

  it('deallocates one instance of a set and then starts them all, each a long-running operation', async () => {
    const set = await scaleSetNamed('vmss-a100');
    await runScaleSetAction(clients, set, 'deallocate', ['1']);
    assert.deepStrictEqual(states(await getScaleSet(clients, skus, set)), ['0:running', '1:deallocated']);
    await runScaleSetAction(clients, set, 'start');
    assert.deepStrictEqual(states(await getScaleSet(clients, skus, set)), ['0:running', '1:running']);
    assert.ok(
      arm.requestLog.some((r) => /operations\//.test(r.path)),
      'the operation was polled',
    );
  });

  it('starts the instances of a Flexible set through the scale set', async () => {
    const set = await scaleSetNamed('vmss-flex-t4');
    await runScaleSetAction(clients, set, 'start', [set.instances[0].instanceId]);
    const read = await getScaleSet(clients, skus, set);
    assert.deepStrictEqual(
      read.instances.map(({ vm }) => vm.status.powerState),
      ['running', 'deallocated'],
    );
    await runScaleSetAction(clients, set, 'deallocate');
  });

  it("says Azure's reason when starting an instance fails", async () => {
    const set = await scaleSetNamed('vmss-a100');
    await runScaleSetAction(clients, set, 'deallocate', ['0']);
    arm.operations.failNext({ vmName: 'vmss-a100_0', action: 'start', code: 'AllocationFailed' });
    await assert.rejects(runScaleSetAction(clients, set, 'start', ['0']), /AllocationFailed|allocat/i);
    assert.deepStrictEqual(states(await getScaleSet(clients, skus, set)), ['0:deallocated', '1:running']);
    await runScaleSetAction(clients, set, 'start');
  });

  it('scales a set out (new instances start, with the next ids) and in (the highest ids go)', async () => {
    const set = await scaleSetNamed('vmss-a100');
    await scaleScaleSet(clients, set, 3);
    const out = await getScaleSet(clients, skus, set);
    assert.strictEqual(out.capacity, 3);
    assert.deepStrictEqual(states(out), ['0:running', '1:running', '2:running']);
    assert.strictEqual(out.instances[2].vm.publicIp, '127.0.0.23');
    await scaleScaleSet(clients, set, 2);
    assert.deepStrictEqual(states(await getScaleSet(clients, skus, set)), ['0:running', '1:running']);
    await assert.rejects(scaleScaleSet(clients, set, 1001), /At most 1000/);
  });

  it("says when scaling out would not fit the region's vCPU quota, before asking Azure", async () => {
    const set = await scaleSetNamed('vmss-a100');
    // gpu-a100-1 and gpu-a100-2 (48 vCPUs each) run in the family's default quota of 100.
    assert.match((await scaleOutQuotaShortfall(clients, set, 3)) ?? '', /Not enough quota: 24 vCPUs needed, .* 96 of 100 in use in eastus/);
    assert.strictEqual(await scaleOutQuotaShortfall(clients, set, 1), undefined, 'scaling in needs no quota');
    arm.state.capacity.setQuota('eastus', { families: { StandardNCADSA100v4Family: 500 } });
    try {
      assert.strictEqual(await scaleOutQuotaShortfall(clients, set, 3), undefined);
    } finally {
      arm.state.capacity.setQuota('eastus', { families: { StandardNCADSA100v4Family: 100 } });
    }
  });

  it('keeps the listing per subscription and shows an operation as pending until Azure finishes it', async () => {
    const inventory = new ScaleSetInventory();
    try {
      inventory.connect(clients);
      assert.deepStrictEqual(inventory.listing(RESEARCH), { status: 'loading' });
      const listing = await inventory.list(RESEARCH);
      assert.strictEqual(listing.status, 'loaded');
      const set = inventory.allScaleSets().find((each) => each.name === 'vmss-a100');
      assert.ok(set);
      const seen: (string | undefined)[] = [];
      const subscription = inventory.onDidChange(() => seen.push(inventory.pendingOperation(set.instances[1].vm.id)));
      const done = await inventory.runAction(set, 'deallocate', [set.instances[1]]);
      subscription.dispose();
      assert.ok(seen.includes('deallocate'), 'the instance showed as busy');
      assert.strictEqual(inventory.pendingOperation(set.instances[1].vm.id), undefined);
      assert.deepStrictEqual(states(done), ['0:running', '1:deallocated']);
      assert.deepStrictEqual(states(inventory.findScaleSet(set.id)!), ['0:running', '1:deallocated']);
      await inventory.runAction(set, 'start');
    } finally {
      inventory.dispose();
    }
  });

  it('lets an operation run to its end when the view is refreshed meanwhile', async () => {
    const inventory = new ScaleSetInventory();
    try {
      inventory.connect(clients);
      await inventory.list(RESEARCH);
      const set = inventory.allScaleSets().find((each) => each.name === 'vmss-a100');
      assert.ok(set);
      const deallocating = inventory.runAction(set, 'deallocate', [set.instances[0]]);
      inventory.forget();
      assert.deepStrictEqual(states(await deallocating), ['0:deallocated', '1:running']);
      await inventory.runAction(set, 'start');
    } finally {
      inventory.dispose();
    }
  });
});
