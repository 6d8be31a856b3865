import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type ArmStandIn, httpsRequest, startArmStandIn } from '../../sandbox/arm';
import { ArmClients } from '../../../src/azure/armClients';
import { ClusterInventory } from '../../../src/azure/clusterInventory';
import { loadRegionGpuSizes } from '../../../src/azure/gpuSizeCatalog';
import {
  createGpuVm,
  deleteOwnedResources,
  deleteRemaining,
  findOwnedResources,
  GpuVmCreateError,
} from '../../../src/azure/gpuVmLifecycle';
import { GPU_IMAGES, OWNER_TAG, planGpuVm, type GpuVmRequest } from '../../../src/azure/gpuVmPlan';
import { displayState } from '../../../src/azure/powerState';
import { acceptPlanTerms, imagePlanOf, readPlanTerms } from '../../../src/azure/marketplaceTerms';
import { describeAzureError } from '../../../src/azure/azureErrors';
import { findNameConflict, resourceGroupsIn } from '../../../src/azure/gpuVmPlacement';
import { NETWORK_API_VERSION } from '../../../src/azure/networkAddresses';
import { zoneChoices } from '../../../src/azure/zoneChoices';
import { quotaFit } from '../../../src/azure/vcpuQuota';
import { generateHostKeyPair } from '../../../src/ssh/hostKeyPair';
import { standInClients } from './standInClients';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const USER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1EMTVbYrt10u81Q1kaAXwnnrN/JE8CF758qbhf+dpj user@laptop';

describe('GPU capacity against the Resource Manager stand-in', function () {
  this.timeout(60_000);
  let stateDir: string;
  let arm: ArmStandIn;
  let clients: ArmClients;

  beforeEach(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-capacity-'));
    arm = await startArmStandIn({ stateDir, operationMs: 150 });
    clients = standInClients(arm, { maxRetries: 0, pollIntervalMs: 50 });
  });

  afterEach(async () => {
    clients.dispose();
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  function request(overrides: Partial<GpuVmRequest> = {}): GpuVmRequest {
    return {
      subscriptionId: RESEARCH,
      location: 'eastus',
      resourceGroup: 'rg-new-gpu',
      newResourceGroup: true,
      name: 'new-gpu',
      size: 'Standard_NC4as_T4_v3',
      spot: false,
      image: GPU_IMAGES[0].reference,
      osDiskGB: 256,
      sshPublicKey: USER_KEY,
      sshSource: '*',
      ...overrides,
    };
  }

  function groupIds(group: string): string[] {
    const stored = [...arm.state.capacity.resources.values()].filter((r) => r.resourceGroup.toLowerCase() === group.toLowerCase());
    return [
      ...stored.map((r) => r.id),
      ...arm.state.vms.filter((vm) => vm.resourceGroup.toLowerCase() === group.toLowerCase()).map((vm) => vm.id),
      ...(arm.state.findResourceGroup(RESEARCH, group) ? [group] : []),
    ];
  }

  it('lists the GPU sizes of a region with their family quota and usage from the running VMs', async () => {
    const sizes = await loadRegionGpuSizes(clients, RESEARCH, 'eastus');
    const expected = arm.state.skus.get('eastus')!.filter((s) => s.gpus > 0);
    assert.deepStrictEqual(sizes.offers.map((o) => o.name).sort(), expected.map((s) => s.name).sort());
    const nc48 = sizes.offers.find((o) => o.name === 'Standard_NC48ads_A100_v4')!;
    const runningA100 = arm.state
      .vmsOf(RESEARCH)
      .filter((vm) => vm.location === 'eastus' && vm.powerState !== 'deallocated' && vm.size.family === nc48.family)
      .reduce((sum, vm) => sum + vm.size.vCPUs, 0);
    assert.ok(runningA100 > 0, 'the sandbox cloud runs A100 VMs in eastus');
    const fit = quotaFit(sizes.quota!, nc48.family, nc48.vCPUs, false);
    assert.deepStrictEqual(fit.counter && { used: fit.counter.used, limit: fit.counter.limit }, {
      used: runningA100,
      limit: arm.state.capacity.familyLimit('eastus', nc48.family),
    });
    assert.strictEqual(fit.fits, runningA100 + nc48.vCPUs <= arm.state.capacity.familyLimit('eastus', nc48.family));
  });

  it('honours SKU restrictions: a size restricted in the region is offered disabled, one restricted in a zone loses the zone', async () => {
    arm.state.capacity.restrict({ location: 'eastus', size: 'Standard_NC24ads_A100_v4' });
    arm.state.capacity.restrict({ location: 'eastus', size: 'Standard_NC4as_T4_v3', zones: ['2'] });
    const { offers } = await loadRegionGpuSizes(clients, RESEARCH, 'eastus');
    const nc24 = offers.find((o) => o.name === 'Standard_NC24ads_A100_v4')!;
    assert.match(nc24.unavailable ?? '', /not available to this subscription/);
    const t4 = offers.find((o) => o.name === 'Standard_NC4as_T4_v3')!;
    assert.strictEqual(t4.unavailable, undefined);
    assert.deepStrictEqual(t4.zones, ['1', '3']);
  });

  it('takes quota, restrictions and create failures through the admin paths', async () => {
    const post = (what: string, body: object) =>
      httpsRequest(`${arm.endpoint}/_sandbox/capacity/${what}`, arm.caPem, { method: 'POST', body });
    assert.strictEqual((await post('quota', { location: 'eastus', families: { StandardNCADSA100v4Family: 500 } })).status, 200);
    assert.strictEqual((await post('restrictions', { location: 'eastus', size: 'Standard_NC4as_T4_v3', zones: ['3'] })).status, 201);
    assert.strictEqual((await post('create-failures', { code: 'ZonalAllocationFailed' })).status, 201);
    assert.strictEqual((await post('quota', { families: 1 })).status, 400, 'a malformed body is refused');
    const sizes = await loadRegionGpuSizes(clients, RESEARCH, 'eastus');
    assert.strictEqual(sizes.quota!.families.get('standardncadsa100v4family')!.limit, 500);
    assert.deepStrictEqual(sizes.offers.find((o) => o.name === 'Standard_NC4as_T4_v3')!.zones, ['1', '2']);
    assert.deepStrictEqual(arm.state.capacity.createFailures, [{ code: 'ZonalAllocationFailed' }]);
  });

  it('creates an on-demand VM with its network, all tagged, the host key in custom data; Delete removes all of it', async () => {
    const hostKey = generateHostKeyPair('new-gpu');
    const plan = planGpuVm(request({ hostKey }));
    const steps: string[] = [];
    const vm = await createGpuVm(clients, plan, { onStep: (s) => steps.push(s) });
    assert.strictEqual(vm.provisioningState, 'Succeeded');
    assert.ok(
      steps.some((s) => s.startsWith('Azure is creating VM')),
      steps.join(' | '),
    );
    const listed = arm.state.findVm(RESEARCH, 'rg-new-gpu', 'new-gpu')!;
    assert.strictEqual(listed.powerState, 'running');
    assert.ok(listed.nic.publicIp?.ipAddress, 'the VM has a public address');
    const facts = arm.state.capacity.createdVms.get(listed.id.toLowerCase())!;
    assert.strictEqual(facts.priority, 'Regular');
    assert.deepStrictEqual(facts.sshPublicKeys, [USER_KEY]);
    const cloudConfig = Buffer.from(facts.customData ?? '', 'base64').toString('utf8');
    assert.ok(cloudConfig.includes(`ed25519_public: ${hostKey.publicKey}`), cloudConfig);
    for (const id of groupIds('rg-new-gpu').filter((id) => id.includes('/providers/Microsoft.Network/'))) {
      assert.strictEqual(arm.state.capacity.resources.get(id.toLowerCase())?.tags[OWNER_TAG], 'new-gpu', id);
    }

    const owned = await findOwnedResources(clients, listed.id);
    assert.deepStrictEqual(owned.map((o) => o.kind).sort(), [
      'NSG',
      'OS disk',
      'VM',
      'network interface',
      'public IP',
      'resource group',
      'virtual network',
    ]);
    await deleteOwnedResources(clients, owned);
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);
  });

  it('the listing shows the VM as creating while Azure creates it, then running with its GPUs', async () => {
    arm.updateSettings({ operationMs: 1500 });
    const inventory = new ClusterInventory();
    try {
      await inventory.connect(clients, [RESEARCH]);
      const stateOf = (): string | undefined => {
        const vm = inventory.allVms().find((each) => each.name === 'new-gpu');
        return vm && displayState(vm.status);
      };
      let whileCreating: Promise<string | undefined> | undefined;
      await createGpuVm(clients, planGpuVm(request()), {
        onStep: (step) => {
          if (step.startsWith('Azure is creating')) whileCreating = inventory.refreshSubscription(RESEARCH).then(stateOf);
        },
      });
      assert.strictEqual(await whileCreating, 'creating');
      await inventory.refreshSubscription(RESEARCH);
      assert.strictEqual(stateOf(), 'running');
      assert.strictEqual(inventory.allVms().find((each) => each.name === 'new-gpu')?.gpus?.model?.name, 'T4');
    } finally {
      inventory.dispose();
    }
  });

  it('keeps what it does not own: an existing group and an untagged NIC stay', async () => {
    const vm = await createGpuVm(clients, planGpuVm(request({ resourceGroup: 'rg-training', newResourceGroup: false })));
    const nicId = vm.networkProfile!.networkInterfaces![0].id!;
    const nic = arm.state.capacity.resources.get(nicId.toLowerCase())!;
    arm.state.capacity.resources.set(nicId.toLowerCase(), { ...nic, tags: {} });
    const owned = await findOwnedResources(clients, vm.id!);
    // Reached only through a NIC that is not ours, the public IP, NSG and VNet are not ours to delete either.
    assert.deepStrictEqual(owned.map((o) => o.kind).sort(), ['OS disk', 'VM']);
    await deleteOwnedResources(clients, owned);
    assert.strictEqual(arm.state.findVm(RESEARCH, 'rg-training', 'new-gpu'), undefined);
    assert.ok(arm.state.findResourceGroup(RESEARCH, 'rg-training'));
    assert.ok(arm.state.capacity.resources.has(nicId.toLowerCase()));
  });

  it('creates a spot VM against the low-priority quota, not the family quota', async () => {
    const before = await loadRegionGpuSizes(clients, RESEARCH, 'eastus');
    const plan = planGpuVm(request({ size: 'Standard_NC48ads_A100_v4', spot: true }));
    assert.strictEqual(quotaFit(before.quota!, 'StandardNCADSA100v4Family', 48, false).fits, false, 'no on-demand room');
    await createGpuVm(clients, plan);
    const vm = arm.state.findVm(RESEARCH, 'rg-new-gpu', 'new-gpu')!;
    assert.strictEqual(arm.state.capacity.createdVms.get(vm.id.toLowerCase())?.priority, 'Spot');
    const after = await loadRegionGpuSizes(clients, RESEARCH, 'eastus');
    assert.strictEqual(after.quota!.lowPriority!.used, before.quota!.lowPriority!.used + 48);
    assert.strictEqual(
      after.quota!.families.get('standardncadsa100v4family')!.used,
      before.quota!.families.get('standardncadsa100v4family')!.used,
    );
  });

  it('a Marketplace image needs its plan and accepted terms; accepting them lets the create through', async () => {
    assert.strictEqual(await imagePlanOf(clients, RESEARCH, 'eastus', GPU_IMAGES[0].reference), undefined, 'the default image has no plan');
    const ngc = { publisher: 'nvidia', offer: 'ngc_azure_17_11', sku: 'ngc-base-version-24_03_4_gen2', version: 'latest' };
    const plan = await imagePlanOf(clients, RESEARCH, 'eastus', ngc);
    assert.deepStrictEqual(plan, { name: 'ngc-base-version-24_03_4_gen2', publisher: 'nvidia', product: 'ngc_azure_17_11' });
    await assert.rejects(createGpuVm(clients, planGpuVm(request({ image: ngc }))), /requires Plan information/);
    await assert.rejects(createGpuVm(clients, planGpuVm(request({ image: ngc, plan }))), /not accepted the legal terms/);
    const terms = await readPlanTerms(clients, RESEARCH, plan);
    assert.strictEqual(terms.accepted, false);
    assert.ok(terms.licenseTextLink?.startsWith('https://'));
    await acceptPlanTerms(clients, RESEARCH, plan, terms);
    assert.strictEqual((await readPlanTerms(clients, RESEARCH, plan)).accepted, true);
    const vm = await createGpuVm(clients, planGpuVm(request({ image: ngc, plan })));
    assert.strictEqual(vm.provisioningState, 'Succeeded');
    assert.deepStrictEqual(groupIds('rg-new-gpu').length > 0, true);
  });

  it('an image that does not exist is refused and nothing is left behind', async () => {
    const missing = { publisher: 'microsoft-dsvm', offer: 'ubuntu-hpc', sku: '1804', version: 'latest' };
    await assert.rejects(createGpuVm(clients, planGpuVm(request({ image: missing }))), /platform image .* is not available/);
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);
  });

  it('a quota refusal names the numbers and leaves nothing behind', async () => {
    const error = await createGpuVm(clients, planGpuVm(request({ size: 'Standard_NC48ads_A100_v4' }))).then(
      () => assert.fail('the create should be refused'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GpuVmCreateError);
    const limit = arm.state.capacity.familyLimit('eastus', 'StandardNCADSA100v4Family');
    const used = arm.state.capacity.usage(arm.state, RESEARCH, 'eastus').families.get('standardncadsa100v4family');
    assert.match(error.message, new RegExp(`${used} of ${limit} StandardNCADSA100v4Family vCPUs in eastus are in use; this needs 48 more`));
    assert.match(error.message, /Nothing was left behind/);
    assert.deepStrictEqual(error.remains, []);
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);
  });

  it('says what a failed clean-up left, and deletes it when asked again', async () => {
    arm.faults.add({
      kind: 'error',
      method: 'DELETE',
      path: 'networkSecurityGroups',
      status: 409,
      code: 'AnotherOperationInProgress',
      times: 1,
    });
    const plan = planGpuVm(request({ resourceGroup: 'rg-training', newResourceGroup: false, size: 'Standard_NC48ads_A100_v4' }));
    const error = await createGpuVm(clients, plan).then(
      () => assert.fail('the create should be refused for quota'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GpuVmCreateError);
    assert.deepStrictEqual(
      error.remaining.map((r) => r.id),
      [plan.nsg.id],
    );
    assert.match(error.message, /These could not be deleted and remain: NSG .*new-gpu-nsg/);
    assert.ok(arm.state.capacity.resources.has(plan.nsg.id.toLowerCase()));
    assert.deepStrictEqual(await deleteRemaining(clients, RESEARCH, error.remaining), []);
    assert.ok(!arm.state.capacity.resources.has(plan.nsg.id.toLowerCase()));
  });

  it('a failed clean-up inside a group made for the VM is covered by deleting the group', async () => {
    arm.faults.add({
      kind: 'error',
      method: 'DELETE',
      path: 'networkSecurityGroups',
      status: 409,
      code: 'AnotherOperationInProgress',
      times: 1,
    });
    await assert.rejects(createGpuVm(clients, planGpuVm(request({ size: 'Standard_NC48ads_A100_v4' }))), (e: unknown) => {
      assert.ok(e instanceof GpuVmCreateError);
      assert.deepStrictEqual(e.remaining, []);
      return true;
    });
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);
  });

  it('a restricted size is refused with SkuNotAvailable and nothing is left behind', async () => {
    arm.state.capacity.restrict({ location: 'eastus', size: 'Standard_NC4as_T4_v3' });
    await assert.rejects(createGpuVm(clients, planGpuVm(request())), (e: unknown) => {
      assert.ok(e instanceof GpuVmCreateError);
      assert.match(e.message, /not available in location 'eastus'/);
      return true;
    });
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);
  });

  it('an allocation failure during the create deletes the failed VM and its network', async () => {
    arm.state.capacity.failNextCreate({ code: 'AllocationFailed', message: 'Allocation failed. We do not have sufficient capacity.' });
    await assert.rejects(createGpuVm(clients, planGpuVm(request())), (e: unknown) => {
      assert.ok(e instanceof GpuVmCreateError);
      assert.match(e.message, /AllocationFailed|sufficient capacity/);
      assert.deepStrictEqual(e.remains, []);
      return true;
    });
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);
  });

  it('offers the groups of the region, creates in an existing one, and Delete keeps that group and what else it holds', async () => {
    const groupsIn = (location: string): string[] =>
      arm.state
        .resourceGroupsOf(RESEARCH)
        .filter((group) => group.location === location)
        .map((group) => group.name)
        .sort();
    assert.ok(groupsIn('eastus').includes('rg-training') && groupsIn('westus2').includes('rg-dev'));
    assert.deepStrictEqual(await resourceGroupsIn(clients, RESEARCH, 'eastus'), groupsIn('eastus'));
    assert.deepStrictEqual(await resourceGroupsIn(clients, RESEARCH, 'westus2'), groupsIn('westus2'));
    const before = arm.state.vmsOf(RESEARCH, 'rg-training').map((vm) => vm.name);
    const tagsBefore = { ...arm.state.findResourceGroup(RESEARCH, 'rg-training')?.tags };
    const vm = await createGpuVm(clients, planGpuVm(request({ resourceGroup: 'rg-training', newResourceGroup: false })));
    assert.deepStrictEqual(
      arm.state.findResourceGroup(RESEARCH, 'rg-training')?.tags,
      tagsBefore,
      'an existing group is not tagged as ours',
    );
    const owned = await findOwnedResources(clients, vm.id!);
    assert.deepStrictEqual(owned.map((o) => o.kind).sort(), ['NSG', 'OS disk', 'VM', 'network interface', 'public IP', 'virtual network']);
    await deleteOwnedResources(clients, owned);
    assert.ok(arm.state.findResourceGroup(RESEARCH, 'rg-training'), 'the existing group stays');
    assert.deepStrictEqual(
      arm.state.vmsOf(RESEARCH, 'rg-training').map((each) => each.name),
      before,
    );
    assert.deepStrictEqual(
      groupIds('rg-training').filter((id) => /new-gpu/.test(id)),
      [],
    );
  });

  it('a name taken in the group is refused before anything is created', async () => {
    const inTraining = request({ resourceGroup: 'rg-training', newResourceGroup: false });
    const made = (): string[] => groupIds('rg-training');
    const tagsBefore = { ...arm.state.findResourceGroup(RESEARCH, 'rg-training')?.tags };
    const before = made();
    // A VM of the cloud, by name.
    const taken = { ...inTraining, name: 'gpu-t4' };
    assert.match((await findNameConflict(clients, taken)) ?? '', /A VM named gpu-t4 already exists in the resource group rg-training/);
    await assert.rejects(createGpuVm(clients, planGpuVm(taken)), /A VM named gpu-t4 already exists.*Nothing was created/);
    assert.deepStrictEqual(made(), before);
    assert.strictEqual(arm.state.findVm(RESEARCH, 'rg-training', 'gpu-t4')?.provisioning.state, 'Succeeded', 'the VM is untouched');
    // Without the check, Azure would take the PUT as an update of that VM: the stand-in refuses it as Azure does.
    await assert.rejects(
      clients.computeFor(RESEARCH).virtualMachines.beginCreateOrUpdateAndWait('rg-training', 'gpu-t4', planGpuVm(taken).vm),
      /PropertyChangeNotAllowed|Changing property 'osProfile' is not allowed/,
    );

    // A network resource named after the VM, left by someone else: the create would overwrite it.
    const orphanNsg = planGpuVm({ ...inTraining, name: 'orphan' }).nsg;
    await clients
      .resourcesFor(RESEARCH)
      .resources.beginCreateOrUpdateByIdAndWait(
        orphanNsg.id,
        NETWORK_API_VERSION,
        { location: 'eastus', properties: {} },
        { updateIntervalInMs: 50 },
      );
    const withNsg = made();
    await assert.rejects(createGpuVm(clients, planGpuVm({ ...inTraining, name: 'orphan' })), /already holds NSG orphan-nsg/);
    assert.deepStrictEqual(made(), withNsg);

    // A new group under a name that exists.
    const newGroup = request({ resourceGroup: 'rg-training', newResourceGroup: true });
    assert.match(
      (await findNameConflict(clients, newGroup)) ?? '',
      /A resource group named rg-training already exists: pick it as an existing group/,
    );
    await assert.rejects(createGpuVm(clients, planGpuVm(newGroup)), /already exists/);
    assert.deepStrictEqual(arm.state.findResourceGroup(RESEARCH, 'rg-training')?.tags, tagsBefore, 'not tagged as made for the VM');

    assert.strictEqual(await findNameConflict(clients, request()), undefined, 'a new group with a new name is free');
    assert.strictEqual(await findNameConflict(clients, inTraining), undefined, 'a new name in an existing group is free');
  });

  it('honours zones: a restricted zone is refused with SkuNotAvailable, a zone out of capacity offers the others, one of which works', async () => {
    arm.state.capacity.restrict({ location: 'eastus', size: 'Standard_NC4as_T4_v3', zones: ['2'] });
    const t4 = (await loadRegionGpuSizes(clients, RESEARCH, 'eastus')).offers.find((o) => o.name === 'Standard_NC4as_T4_v3')!;
    assert.deepStrictEqual(t4.zones, ['1', '3']);
    assert.deepStrictEqual(t4.restrictedZones?.zones, ['2']);
    const inZone = (zone: string): GpuVmRequest => request({ zone });

    await assert.rejects(createGpuVm(clients, planGpuVm(inZone('2'))), (e: unknown) => {
      assert.ok(e instanceof GpuVmCreateError);
      assert.match(e.message, /not available in location 'eastus' zone '2'/);
      assert.strictEqual(describeAzureError(e.cause).kind, 'capacity');
      return true;
    });
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);

    arm.state.capacity.failNextCreate({ code: 'ZonalAllocationFailed', zone: '1', message: 'Allocation failed. Zone 1 has no capacity.' });
    await assert.rejects(createGpuVm(clients, planGpuVm(inZone('1'))), (e: unknown) => {
      assert.ok(e instanceof GpuVmCreateError);
      assert.strictEqual(describeAzureError(e.cause).kind, 'capacity');
      assert.deepStrictEqual(e.remains, []);
      return true;
    });
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);

    // Zone 1 stays out of capacity; the failure waits for a create there, not in another zone.
    arm.state.capacity.failNextCreate({ code: 'ZonalAllocationFailed', zone: '1' });
    const next = zoneChoices(t4, { zone: '1' })[0];
    assert.strictEqual(next.zone, '3', 'the pick leads with a zone that is neither restricted nor out of capacity');
    const vm = await createGpuVm(clients, planGpuVm(request({ zone: next.zone })));
    assert.deepStrictEqual(vm.zones, ['3']);
    assert.strictEqual(arm.state.findVm(RESEARCH, 'rg-new-gpu', 'new-gpu')?.zone, '3');
    assert.deepStrictEqual(arm.state.capacity.createFailures, [{ code: 'ZonalAllocationFailed', zone: '1' }]);
  });

  it('cancelling while Azure creates the VM deletes what was made', async () => {
    arm.updateSettings({ operationMs: 2000 });
    const controller = new AbortController();
    const created = createGpuVm(clients, planGpuVm(request()), {
      signal: controller.signal,
      onStep: (step) => step.startsWith('Azure is creating') && controller.abort(),
    });
    await assert.rejects(created, (e: unknown) => e instanceof GpuVmCreateError && /Cancelled/.test(e.message));
    assert.deepStrictEqual(groupIds('rg-new-gpu'), []);
  });
});
