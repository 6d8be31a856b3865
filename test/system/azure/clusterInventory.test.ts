import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type ArmStandIn, startArmStandIn } from '../../sandbox/arm';
import { AzureAccount, type AccountHost } from '../../../src/azure/azureAccount';
import { ArmClients } from '../../../src/azure/armClients';
import type { AzureSettings } from '../../../src/azure/azureEnvironment';
import { describeAzureError } from '../../../src/azure/azureErrors';
import { ClusterInventory, type SubscriptionEntry } from '../../../src/azure/clusterInventory';
import { displayState } from '../../../src/azure/powerState';
import type { AzureVm } from '../../../src/azure/virtualMachine';
import { answerDualStack, answerTwoNics } from '../../sandbox/arm/network-layouts';
import { standInClients } from './standInClients';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const PRODUCTION = '8c3e1b6d-4a2f-4d7e-9c85-2b6a0e4f1d93';

/** An account host as the sandbox configures VS Code: a custom cloud and a service principal. */
function sandboxHost(arm: ArmStandIn, caFile: string, overrides: Partial<AzureSettings> = {}): AccountHost {
  const memory = new Map<string, string>();
  return {
    settings: () => ({
      cloud: 'Custom',
      resourceManagerEndpoint: arm.endpoint,
      authorityHost: arm.endpoint,
      caCertificate: caFile,
      credential: 'environment',
      tenant: '',
      subscriptions: [],
      ...overrides,
    }),
    environmentVariables: () => ({ AZURE_TENANT_ID: arm.tenantId, AZURE_CLIENT_ID: arm.clientId, AZURE_CLIENT_SECRET: arm.clientSecret }),
    session: () => Promise.resolve(undefined),
    pickTenant: () => Promise.resolve(undefined),
    memory: {
      get: (key) => memory.get(key),
      set: (key, value) => {
        if (value === undefined) memory.delete(key);
        else memory.set(key, value);
        return Promise.resolve();
      },
    },
  };
}

function entries(inventory: ClusterInventory): readonly SubscriptionEntry[] {
  assert.strictEqual(inventory.state.status, 'ready', JSON.stringify(inventory.state));
  return inventory.state.status === 'ready' ? inventory.state.subscriptions : [];
}

function listingOf(inventory: ClusterInventory, subscriptionId: string): SubscriptionEntry['listing'] {
  const entry = entries(inventory).find((e) => e.subscription.subscriptionId === subscriptionId);
  assert.ok(entry, `subscription ${subscriptionId} is listed`);
  return entry.listing;
}

/** The warnings of a subscription that listed. */
function warningsOf(inventory: ClusterInventory, subscriptionId: string): readonly string[] {
  const listing = listingOf(inventory, subscriptionId);
  assert.strictEqual(listing.status, 'loaded', JSON.stringify(listing));
  return listing.status === 'loaded' ? listing.warnings : [];
}

function vmNamed(inventory: ClusterInventory, name: string): AzureVm {
  const vm = inventory.allVms().find((v) => v.name === name);
  assert.ok(vm, `${name} is listed`);
  return vm;
}

describe('Azure layer against the ARM stand-in', function () {
  this.timeout(60_000);
  let stateDir: string;
  let arm: ArmStandIn;
  let clients: ArmClients;
  let inventory: ClusterInventory;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-layer-'));
    // One item per page, so that every list is paged.
    arm = await startArmStandIn({ stateDir, pageSize: 1, operationMs: 300 });
    const account = new AzureAccount(sandboxHost(arm, arm.caFile), { retryDelayMs: 20, pollIntervalMs: 50 });
    const connected = await account.connect();
    assert.ok(connected);
    clients = connected;
  });

  after(async () => {
    clients?.dispose();
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    arm.faults.clear();
    arm.operations.clearFailures();
    inventory = new ClusterInventory({ transitionPollMs: 100 });
    await inventory.connect(clients, []);
  });

  afterEach(() => inventory.dispose());

  it("lists the tenant's subscriptions with their VMs, following every nextLink", () => {
    assert.deepStrictEqual(
      entries(inventory).map((e) => [e.subscription.displayName, e.listing.status]),
      [
        ['ML Production', 'loaded'],
        ['ML Research (GPU)', 'loaded'],
      ],
    );
    assert.deepStrictEqual(
      inventory
        .allVms()
        .map((vm) => vm.name)
        .sort(),
      ['dev-box', 'gpu-a100-1', 'gpu-a100-2', 'gpu-h100', 'gpu-nd96', 'gpu-t4'],
    );
    assert.ok(
      arm.requestLog.some((r) => r.path.includes('skiptoken') && /virtualMachines/i.test(r.path)),
      'VM pages were followed',
    );
  });

  it('still finds a listed VM while the view is listed again, for commands run on its node', async () => {
    const id = vmNamed(inventory, 'gpu-t4').id;
    arm.updateSettings({ latencyMs: 100 });
    try {
      const listing = inventory.refresh();
      assert.strictEqual(inventory.state.status, 'loading');
      assert.strictEqual(inventory.findVm(id)?.name, 'gpu-t4');
      await listing;
    } finally {
      arm.updateSettings({ latencyMs: 0 });
    }
    assert.strictEqual(inventory.findVm(id)?.name, 'gpu-t4');
    assert.strictEqual(inventory.findVm('/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/gone'), undefined);
  });

  it('keeps a VM findable through a refresh that cuts short another, and waits out a listing before saying a VM is gone', async () => {
    const id = vmNamed(inventory, 'gpu-t4').id;
    arm.updateSettings({ latencyMs: 100 });
    try {
      const first = inventory.refresh();
      await new Promise((resolve) => setTimeout(resolve, 150)); // the subscriptions are listed, their VMs not yet
      const second = inventory.refresh();
      assert.strictEqual(inventory.findVm(id)?.name, 'gpu-t4');
      const found = inventory.findVmWhenListed(id);
      const missing = inventory.findVmWhenListed('/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/gone');
      await Promise.all([first, second]);
      assert.strictEqual((await found)?.name, 'gpu-t4');
      assert.strictEqual(await missing, undefined);
    } finally {
      arm.updateSettings({ latencyMs: 0 });
    }
  });

  it('finds the GPUs: count from the SKU, model from the catalog; no GPU on a CPU size', () => {
    const a100 = vmNamed(inventory, 'gpu-a100-1');
    assert.strictEqual(a100.gpus?.count, 2);
    assert.strictEqual(a100.gpus?.model?.name, 'A100');
    assert.strictEqual(a100.gpus?.model?.memoryGB, 80);
    assert.strictEqual(a100.vCPUs, 48);
    assert.strictEqual(a100.memoryGB, 440);
    assert.strictEqual(vmNamed(inventory, 'gpu-nd96').gpus?.count, 8);
    assert.strictEqual(vmNamed(inventory, 'gpu-nd96').gpus?.model?.memoryGB, 40);
    const devBox = vmNamed(inventory, 'dev-box');
    assert.strictEqual(devBox.gpus, undefined);
    assert.strictEqual(devBox.vCPUs, 4);
  });

  it('reads power states, addresses and the OS user', () => {
    const a100 = vmNamed(inventory, 'gpu-a100-1');
    assert.strictEqual(a100.status.powerState, 'running');
    assert.strictEqual(a100.publicIp, '127.0.0.2');
    assert.match(a100.privateIp ?? '', /^10\./);
    assert.strictEqual(a100.osUser, 'azureuser');
    assert.strictEqual(a100.resourceGroup, 'rg-training');
    assert.strictEqual(vmNamed(inventory, 'gpu-t4').status.powerState, 'deallocated');
    assert.strictEqual(vmNamed(inventory, 'gpu-nd96').status.powerState, 'stopped');
    assert.strictEqual(vmNamed(inventory, 'gpu-h100').publicIp, undefined, 'a dynamic IP has no address while deallocated');
    assert.strictEqual(vmNamed(inventory, 'dev-box').publicIp, undefined);
  });

  it('keeps to the selected subscriptions', async () => {
    await inventory.connect(clients, [PRODUCTION.toUpperCase()]);
    assert.deepStrictEqual(
      entries(inventory).map((e) => e.subscription.subscriptionId),
      [PRODUCTION],
    );
  });

  it('deallocates a VM, showing it busy until Azure is done, then starts it again', async () => {
    const vm = vmNamed(inventory, 'gpu-a100-2');
    const changes: string[] = [];
    inventory.onDidChange((change) =>
      changes.push(change.scope === 'vm' ? `vm:${inventory.pendingAction(change.vmId) ?? 'idle'}` : change.scope),
    );
    const stopping = inventory.runAction(vm, 'deallocate');
    assert.strictEqual(inventory.pendingAction(vm.id), 'deallocate');
    await assert.rejects(inventory.runAction(vm, 'start'), /busy/);
    const stopped = await stopping;
    assert.strictEqual(stopped.status.powerState, 'deallocated');
    assert.strictEqual(arm.state.vmNamed('gpu-a100-2').powerState, 'deallocated');
    assert.strictEqual(vmNamed(inventory, 'gpu-a100-2').status.powerState, 'deallocated');
    assert.strictEqual(inventory.pendingAction(vm.id), undefined);
    assert.ok(!changes.includes('all'), 'only the VM was refreshed, not the whole tree');
    assert.strictEqual(changes[0], 'vm:deallocate');

    const started = await inventory.runAction(vm, 'start');
    assert.strictEqual(started.status.powerState, 'running');
    assert.strictEqual(started.publicIp, '127.0.0.3');
    const polls = arm.requestLog.filter((r) => /\/operations\//i.test(r.path));
    assert.ok(polls.length >= 2, 'the operations were polled');
  });

  it("shows Azure's reason when a start fails for lack of capacity", async () => {
    arm.operations.failNext({ vmName: 'gpu-t4', action: 'start', code: 'AllocationFailed' });
    const vm = vmNamed(inventory, 'gpu-t4');
    const error = await inventory.runAction(vm, 'start').then(
      () => assert.fail('the start should fail'),
      (e: unknown) => e,
    );
    const problem = describeAzureError(error);
    assert.strictEqual(problem.kind, 'capacity');
    assert.match(problem.message, /AllocationFailed: Allocation failed/);
    assert.strictEqual(vmNamed(inventory, 'gpu-t4').status.powerState, 'deallocated');
    assert.strictEqual(inventory.pendingAction(vm.id), undefined);
  });

  it('polls a VM started elsewhere until it settles', async () => {
    const vm = vmNamed(inventory, 'gpu-t4');
    arm.updateSettings({ operationMs: 800 });
    try {
      // Started from the portal, as it were: not through the inventory.
      await clients.computeFor(RESEARCH).virtualMachines.start('rg-training', 'gpu-t4', { updateIntervalInMs: 50 }).submitted();
      await inventory.refresh();
      assert.strictEqual(vmNamed(inventory, 'gpu-t4').status.powerState, 'starting');
      const deadline = Date.now() + 10_000;
      while (vmNamed(inventory, 'gpu-t4').status.powerState !== 'running') {
        assert.ok(Date.now() < deadline, 'the VM settled within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.strictEqual(vmNamed(inventory, 'gpu-t4').publicIp, '127.0.0.4');
    } finally {
      arm.updateSettings({ operationMs: 300 });
      await inventory.runAction(vm, 'deallocate');
    }
  });

  it('reads the instance view of the VMs the status list leaves out, and polls one still without a power state', async () => {
    arm.faults.add({
      kind: 'respond',
      method: 'GET',
      path: `${RESEARCH}/providers/Microsoft\\.Compute/virtualMachines\\?.*statusOnly=true`,
      body: { value: [] },
      times: 1,
    });
    // A VM being created, as it were: no PowerState yet.
    const creating = arm.faults.add({
      kind: 'respond',
      method: 'GET',
      path: '/virtualMachines/gpu-t4/instanceView',
      body: { statuses: [{ code: 'ProvisioningState/creating', level: 'Info', displayStatus: 'Creating' }] },
      times: 1,
    });
    const before = arm.requestLog.length;
    await inventory.refresh();
    const views = arm.requestLog.slice(before).filter((r) => /\/instanceView/i.test(r.path));
    assert.strictEqual(views.length, 4, 'one instance view per VM of the subscription');
    assert.strictEqual(creating.hits, 1);
    assert.strictEqual(vmNamed(inventory, 'gpu-a100-1').status.powerState, 'running');
    assert.strictEqual(vmNamed(inventory, 'dev-box').status.powerState, 'running');
    assert.strictEqual(vmNamed(inventory, 'gpu-nd96').status.powerState, 'stopped', 'the other subscription listed as usual');
    assert.strictEqual(vmNamed(inventory, 'gpu-t4').status.powerState, 'unknown');
    const deadline = Date.now() + 10_000;
    while (vmNamed(inventory, 'gpu-t4').status.powerState === 'unknown') {
      assert.ok(Date.now() < deadline, 'the unknown state was polled within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.strictEqual(vmNamed(inventory, 'gpu-t4').status.powerState, 'deallocated');
  });

  it('keeps a running VM whose extension failed running, with the error beside it', async () => {
    const machine = arm.state.vmNamed('gpu-a100-1');
    const message = "VM has reported a failure when processing extension 'CustomScript'. Error message: 'Enable failed: exit status 1'.";
    machine.provisioning = { state: 'Failed', error: { code: 'VMExtensionProvisioningError', message } };
    try {
      await inventory.refresh();
      const vm = vmNamed(inventory, 'gpu-a100-1');
      assert.deepStrictEqual(vm.status, { powerState: 'running', provisioningError: message });
      assert.strictEqual(displayState(vm.status), 'running-failed');
    } finally {
      machine.provisioning = { state: 'Succeeded' };
    }
  });

  it('waits out a 429 for its Retry-After, then lists', async () => {
    const fault = arm.faults.add({
      kind: 'throttle',
      path: `${RESEARCH}/providers/Microsoft.Compute/virtualMachines`,
      retryAfterSeconds: 1,
      times: 1,
    });
    const started = Date.now();
    await inventory.refresh();
    assert.strictEqual(fault.hits, 1);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    assert.strictEqual(listingOf(inventory, RESEARCH).status, 'loaded');
  });

  it('retries a 500 and lists', async () => {
    const fault = arm.faults.add({ kind: 'error', status: 500, path: 'networkInterfaces', times: 2 });
    await inventory.refresh();
    assert.strictEqual(fault.hits, 2);
    assert.deepStrictEqual(
      entries(inventory).map((e) => e.listing.status),
      ['loaded', 'loaded'],
    );
  });

  it('gets a fresh token once after a 401, and carries on', async () => {
    arm.tokens.revokeAll();
    const before = arm.requestLog.length;
    await inventory.refresh();
    assert.deepStrictEqual(
      entries(inventory).map((e) => e.listing.status),
      ['loaded', 'loaded'],
    );
    const log = arm.requestLog.slice(before);
    assert.strictEqual(log[0].status, 401, 'the revoked token was refused');
    assert.strictEqual(log.filter((r) => r.status === 401).length, 1, 'one refusal, then a fresh token');
    assert.ok(
      log.some((r) => /oauth2/i.test(r.path)),
      'a new token was fetched',
    );
  });

  it('asks to sign in again when Azure refuses the fresh token too', async () => {
    arm.faults.add({ kind: 'unauthorized', path: '^/subscriptions\\?' });
    await inventory.refresh();
    assert.strictEqual(inventory.state.status, 'failed');
    assert.strictEqual(inventory.state.status === 'failed' && inventory.state.problem.kind, 'signIn');
  });

  it('shows a malformed body as a failed subscription, and lists it on retry', async () => {
    arm.faults.add({ kind: 'malformed', path: `${PRODUCTION}/providers/Microsoft.Network/publicIPAddresses`, times: 1 });
    await inventory.refresh();
    const failed = listingOf(inventory, PRODUCTION);
    assert.strictEqual(failed.status, 'failed');
    assert.strictEqual(failed.status === 'failed' && failed.problem.kind, 'malformed');
    assert.strictEqual(listingOf(inventory, RESEARCH).status, 'loaded');
    await inventory.refreshSubscription(PRODUCTION);
    assert.strictEqual(listingOf(inventory, PRODUCTION).status, 'loaded');
  });

  it('lists the other subscriptions when one is forbidden, with the reason on the failed one', async () => {
    arm.faults.add({ kind: 'forbidden', path: `${RESEARCH}/providers/Microsoft.Compute/virtualMachines` });
    await inventory.refresh();
    const failed = listingOf(inventory, RESEARCH);
    assert.strictEqual(failed.status, 'failed');
    assert.strictEqual(failed.status === 'failed' && failed.problem.kind, 'forbidden');
    assert.strictEqual(failed.status === 'failed' && failed.problem.code, 'AuthorizationFailed');
    assert.match(
      failed.status === 'failed' ? failed.problem.message : '',
      /^Access denied: The client '[^']+' with object id '[^']+' does not have authorization to perform action 'Microsoft\.Compute\/virtualMachines\/read'/,
      "Azure's own words",
    );
    assert.strictEqual(listingOf(inventory, PRODUCTION).status, 'loaded');
    assert.deepStrictEqual(
      inventory
        .allVms()
        .map((vm) => vm.name)
        .sort(),
      ['gpu-h100', 'gpu-nd96'],
    );
  });

  it('lists the VMs without public addresses when public IPs may not be read, with one warning naming the permission', async () => {
    const fault = arm.faults.add({ kind: 'forbidden', path: `${RESEARCH}/providers/Microsoft.Network/publicIPAddresses` });
    await inventory.refresh();
    assert.ok(fault.hits >= 1);
    const warnings = warningsOf(inventory, RESEARCH);
    assert.strictEqual(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /^Public IP addresses could not be read \(the role lacks Microsoft\.Network\/publicIPAddresses\/read\)/);
    assert.match(
      warnings[0],
      new RegExp(
        `does not have authorization to perform action 'Microsoft\\.Network/publicIPAddresses/read' over scope '/subscriptions/${RESEARCH}'`,
      ),
      "Azure's own message",
    );
    assert.doesNotMatch(warnings[0], /Pagination failed/);
    const a100 = vmNamed(inventory, 'gpu-a100-1');
    assert.strictEqual(a100.publicIp, undefined);
    assert.strictEqual(a100.unreadAddresses, 'public', 'unknown, not absent: the user is asked when connecting');
    assert.match(a100.privateIp ?? '', /^10\./, 'the network interfaces still give the private address');
    assert.deepStrictEqual(
      inventory
        .allVms()
        .map((vm) => vm.name)
        .sort(),
      ['dev-box', 'gpu-a100-1', 'gpu-a100-2', 'gpu-h100', 'gpu-nd96', 'gpu-t4'],
    );
    assert.deepStrictEqual(warningsOf(inventory, PRODUCTION), []);
  });

  it('lists the VMs without addresses when network interfaces may not be read', async () => {
    arm.faults.add({ kind: 'forbidden', path: `${RESEARCH}/providers/Microsoft.Network/networkInterfaces` });
    await inventory.refresh();
    const warnings = warningsOf(inventory, RESEARCH);
    assert.strictEqual(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /Microsoft\.Network\/networkInterfaces\/read/);
    const a100 = vmNamed(inventory, 'gpu-a100-1');
    assert.strictEqual(a100.status.powerState, 'running');
    assert.strictEqual(a100.publicIp, undefined);
    assert.strictEqual(a100.privateIp, undefined);
    assert.strictEqual(a100.unreadAddresses, 'all');
    assert.strictEqual(vmNamed(inventory, 'gpu-nd96').unreadAddresses, undefined, 'the other subscription reads its addresses');
  });

  it('reads a VM afresh without addresses when its network interface may not be read', async () => {
    const vm = vmNamed(inventory, 'gpu-a100-1');
    const fault = arm.faults.add({ kind: 'forbidden', method: 'GET', path: '/networkInterfaces/gpu-a100-1-nic\\?' });
    const read = await inventory.refreshVm(vm);
    assert.strictEqual(fault.hits, 1);
    assert.strictEqual(read.status.powerState, 'running');
    assert.strictEqual(read.publicIp, undefined);
    assert.strictEqual(read.unreadAddresses, 'all');
  });

  it('reports a deallocate that worked though reading the VM after it fails, and polls the VM until its state is read', async () => {
    const vm = vmNamed(inventory, 'gpu-a100-2');
    // Azure answers the deallocate, then 404 for the VM's network interface.
    const nicGone = arm.faults.add({ kind: 'notFound', method: 'GET', path: '/networkInterfaces/gpu-a100-2-nic\\?' });
    try {
      const afterwards = await inventory.runAction(vm, 'deallocate');
      assert.ok(nicGone.hits >= 1, 'the read after the deallocate failed');
      assert.strictEqual(arm.state.vmNamed('gpu-a100-2').powerState, 'deallocated');
      assert.strictEqual(afterwards.status.powerState, 'unknown', 'not claimed running: its state is yet to be read');
      assert.strictEqual(inventory.pendingAction(vm.id), undefined);
      const deadline = Date.now() + 10_000;
      while (vmNamed(inventory, 'gpu-a100-2').status.powerState !== 'deallocated') {
        assert.ok(Date.now() < deadline, 'the state was polled and read within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(
        arm.requestLog.some((r) => /virtualMachines\/gpu-a100-2\/instanceView/i.test(r.path) && r.status === 200),
        'the power state was read from the instance view',
      );
    } finally {
      arm.faults.remove(nicGone.id);
      await inventory.runAction(vmNamed(inventory, 'gpu-a100-2'), 'start');
    }
  });

  it('lists a public IPv6 address on a secondary IP configuration, and reaches the VM by it when it is the only one', async () => {
    answerDualStack(arm.state, arm.faults, { vmName: 'gpu-a100-1', publicIpv6: '2001:db8::a100' });
    await inventory.refresh();
    let a100 = vmNamed(inventory, 'gpu-a100-1');
    assert.strictEqual(a100.publicIp, '127.0.0.2', 'IPv4 preferred');
    assert.strictEqual(a100.publicIpv6, '2001:db8::a100');
    assert.match(a100.privateIp ?? '', /^10\./, "the primary configuration's private address");

    arm.faults.clear();
    answerDualStack(arm.state, arm.faults, { vmName: 'gpu-a100-1', publicIpv6: '2001:db8::a100', withoutPublicIpv4: true });
    await inventory.refresh();
    a100 = vmNamed(inventory, 'gpu-a100-1');
    assert.strictEqual(a100.publicIp, '2001:db8::a100');
    assert.match(a100.privateIp ?? '', /^10\./);
  });

  it("takes a VM's addresses from the NIC its model marks primary when the NICs' bodies leave primary out", async () => {
    answerTwoNics(arm.state, arm.faults, { vmName: 'gpu-a100-1', secondNic: { privateIp: '10.9.0.4', publicIp: '203.0.113.9' } });
    await inventory.refresh();
    const a100 = vmNamed(inventory, 'gpu-a100-1');
    assert.strictEqual(a100.networkInterfaceIds.length, 2);
    assert.strictEqual(a100.publicIp, '127.0.0.2');
    assert.notStrictEqual(a100.privateIp, '10.9.0.4');
    assert.match(a100.privateIp ?? '', /^10\.0\./);
  });

  it("cancels a failed listing's sibling requests: no request left running, no further page asked", async () => {
    // The VM list's second page comes back unreadable: by then every sibling list has been asked.
    arm.faults.add({
      kind: 'malformed',
      method: 'GET',
      path: `^/subscriptions/${RESEARCH}/providers/Microsoft\\.Compute/virtualMachines\\?(?!.*statusOnly).*skiptoken`,
    });
    const held = arm.faults.add({
      kind: 'delay',
      delayMs: 5000,
      method: 'GET',
      path: `^/subscriptions/${RESEARCH}/providers/Microsoft\\.Network/publicIPAddresses`,
      times: 1,
    });
    const before = arm.requestLog.length;
    await inventory.refresh();
    assert.strictEqual(listingOf(inventory, RESEARCH).status, 'failed');
    assert.strictEqual(held.hits, 1);
    const publicIpRequests = () =>
      arm.requestLog
        .slice(before)
        .filter((r) => r.path.startsWith(`/subscriptions/${RESEARCH}/providers/Microsoft.Network/publicIPAddresses`));
    const [sibling] = publicIpRequests();
    // The server learns of the abort when the connection closes: wait for that, or for an answer.
    const deadline = Date.now() + 10_000;
    while (sibling.aborted === undefined && sibling.status === undefined) {
      assert.ok(Date.now() < deadline, 'the held request ended within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.strictEqual(sibling.aborted, true, 'the public IP list was cancelled when the VM list failed');
    assert.deepStrictEqual(
      publicIpRequests().map((r) => r.path),
      [sibling.path],
      'no further page was asked',
    );
  });

  it("warns with Azure's own message when the VM sizes may not be read", async () => {
    // Every subscription shares the sizes of a location, kept once read: a fresh inventory asks for them.
    arm.faults.add({ kind: 'forbidden', path: '/providers/Microsoft.Compute/skus' });
    const fresh = new ClusterInventory();
    try {
      await fresh.connect(clients, [RESEARCH]);
      const warnings = warningsOf(fresh, RESEARCH);
      assert.strictEqual(warnings.length, 2, 'one warning per location whose sizes could not be read');
      assert.match(warnings[0], /could not be read; GPU counts come from the catalog/);
      assert.match(warnings[0], /does not have authorization to perform action 'Microsoft\.Compute\/skus\/read'/);
      assert.doesNotMatch(warnings[0], /Pagination failed/);
      assert.strictEqual(vmNamed(fresh, 'gpu-a100-1').gpus?.model?.name, 'A100');
    } finally {
      fresh.dispose();
    }
  });

  it('shows a subscription that takes too long as timed out, and the others listed', async () => {
    const slow = new ClusterInventory({ subscriptionTimeoutMs: 500 });
    try {
      arm.faults.add({ kind: 'delay', delayMs: 2000, path: `${PRODUCTION}/providers/Microsoft.Compute/virtualMachines` });
      await slow.connect(clients, []);
      const failed = listingOf(slow, PRODUCTION);
      assert.strictEqual(failed.status === 'failed' && failed.problem.kind, 'timeout');
      assert.strictEqual(listingOf(slow, RESEARCH).status, 'loaded');
    } finally {
      slow.dispose();
    }
  });

  it('says what to do when the Resource Manager certificate is not trusted', async () => {
    const plain = new ClusterInventory();
    const untrusted = standInClients(arm, { maxRetries: 0 }, '');
    try {
      await plain.connect(untrusted, []);
      assert.strictEqual(plain.state.status, 'failed');
      const problem = plain.state.status === 'failed' ? plain.state.problem : undefined;
      assert.strictEqual(problem?.kind, 'certificate');
      assert.match(problem?.advice ?? '', /azurePytorch\.caCertificate/);
    } finally {
      plain.dispose();
      untrusted.dispose();
    }
  });

  it('says what to do when the sign-in endpoint cannot be reached over TLS', async () => {
    const untrusted = await new AzureAccount(sandboxHost(arm, ''), { maxRetries: 0 }).connect();
    assert.ok(untrusted);
    const plain = new ClusterInventory();
    try {
      await plain.connect(untrusted, []);
      const problem = plain.state.status === 'failed' ? plain.state.problem : undefined;
      assert.strictEqual(problem?.kind, 'network');
      assert.match(problem?.advice ?? '', /azurePytorch\.caCertificate/);
    } finally {
      plain.dispose();
      untrusted.dispose();
    }
  });
});
