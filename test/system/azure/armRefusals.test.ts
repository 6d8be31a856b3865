import * as assert from 'assert';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { type ArmStandIn, httpsRequest, loadCloudSpec, startArmStandIn } from '../../sandbox/arm';
import { jsonArray, jsonString } from '../../json';
import { ArmClients } from '../../../src/azure/armClients';
import { describeAzureError, type AzureProblem } from '../../../src/azure/azureErrors';
import { ClusterInventory } from '../../../src/azure/clusterInventory';
import type { AzureVm } from '../../../src/azure/virtualMachine';
import { standInClients } from './standInClients';

/** Azure's refusals (quota, capacity), a poll URL on another origin, repeated and partitioned VMs: the Azure layer against the stand-in. */
describe('Azure layer against Azure-shaped answers of the ARM stand-in', function () {
  this.timeout(60_000);
  const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
  let stateDir: string;
  let arm: ArmStandIn;
  let clients: ArmClients;
  let inventory: ClusterInventory;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-refusals-'));
    const cloud = loadCloudSpec();
    const group = cloud.subscriptions.find((s) => s.subscriptionId === RESEARCH)?.resourceGroups[0];
    assert.ok(group, 'the research subscription has a resource group');
    group.vms.push({ name: 'gpu-a10-slice', size: 'Standard_NV6ads_A10_v5', powerState: 'deallocated' });
    cloud.skus[group.location] = [...(cloud.skus[group.location] ?? []), 'Standard_NV6ads_A10_v5'];
    arm = await startArmStandIn({ stateDir, cloud, operationMs: 200 });
    clients = standInClients(arm, { maxRetries: 0, pollIntervalMs: 50 });
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
    await inventory.connect(clients, [RESEARCH]);
  });

  afterEach(() => inventory.dispose());

  function vmNamed(name: string): AzureVm {
    const vm = inventory.allVms().find((v) => v.name === name);
    assert.ok(vm, `${name} is listed`);
    return vm;
  }

  async function startRefused(name: string): Promise<AzureProblem> {
    const error = await inventory.runAction(vmNamed(name), 'start').then(
      () => assert.fail('the start should be refused'),
      (e: unknown) => e,
    );
    return describeAzureError(error);
  }

  it('reads a 409 quota refusal of a start as quota, with the figures and the request link', async () => {
    const fault = arm.faults.add({ kind: 'error', method: 'POST', path: '/gpu-t4/start', code: 'OperationNotAllowed', times: 1 });
    const problem = await startRefused('gpu-t4');
    assert.strictEqual(fault.hits, 1);
    assert.strictEqual(problem.kind, 'quota');
    assert.strictEqual(problem.status, 409);
    assert.match(problem.message, /24 of 24 standardNCADSA100v4Family vCPUs in eastus are in use; this needs 24 more/);
    assert.match(problem.advice, /at least 48 for standardNCADSA100v4Family in eastus/);
    assert.match(problem.link ?? '', /^https:\/\/aka\.ms\/ProdportalCRP\/#blade\/Microsoft_Azure_Capacity\/UsageAndQuota/);
    assert.strictEqual(vmNamed('gpu-t4').status.powerState, 'deallocated');
  });

  it('reads the same quota refusal as quota when it comes as a failed operation', async () => {
    arm.operations.failNext({ vmName: 'gpu-t4', action: 'start', code: 'OperationNotAllowed' });
    const problem = await startRefused('gpu-t4');
    assert.strictEqual(problem.kind, 'quota');
    assert.match(problem.message, /24 of 24 standardNCADSA100v4Family vCPUs/);
    assert.match(problem.advice, /at least 48/);
  });

  for (const code of ['SkuNotAvailable', 'ZonalAllocationFailed', 'AllocationFailed']) {
    it(`reads a 409 ${code} of a start as capacity: try another zone, region or size`, async () => {
      arm.faults.add({ kind: 'error', method: 'POST', path: '/gpu-t4/start', code, times: 1 });
      const problem = await startRefused('gpu-t4');
      assert.strictEqual(problem.kind, 'capacity');
      assert.strictEqual(problem.code, code);
      assert.match(problem.advice, /another size, zone or region/);
    });
  }

  it('still reads "another operation in progress" as a conflict', async () => {
    const vm = vmNamed('gpu-t4');
    const starting = clients.computeFor(RESEARCH).virtualMachines.start('rg-training', 'gpu-t4', { updateIntervalInMs: 50 });
    await starting.submitted();
    try {
      const problem = await startRefused('gpu-t4');
      assert.strictEqual(problem.kind, 'conflict');
      assert.match(problem.message, /another operation .* is in progress/);
    } finally {
      await starting;
      await inventory.runAction(vm, 'deallocate');
    }
  });

  it('never sends the token to a poll URL on another origin, and says why', async () => {
    const certificate = { cert: arm.caPem, key: fs.readFileSync(path.join(stateDir, 'arm-key.pem')) };
    const received: Array<string | undefined> = [];
    // Answers as Resource Manager would, so that only the client's refusal keeps the token from it.
    const elsewhere = https.createServer(certificate, (request, response) => {
      received.push(request.headers.authorization);
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"Succeeded"}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const address = elsewhere.address();
      assert.ok(address !== null && typeof address === 'object');
      const pollUrl = `https://127.0.0.1:${address.port}/operations/1?api-version=2024-07-01`;
      arm.faults.add({ kind: 'accepted', method: 'POST', path: '/gpu-t4/start', pollUrl, times: 1 });
      const problem = await startRefused('gpu-t4');
      assert.match(problem.message, /Refusing to send the Azure token to https:\/\/127\.0\.0\.1:\d+/);
      assert.match(problem.message, new RegExp(`only the configured Resource Manager \\(${arm.endpoint.replace(/\./g, '\\.')}\\)`));
      assert.deepStrictEqual(received, [], 'nothing, let alone the token, reached the other origin');
    } finally {
      elsewhere.closeAllConnections();
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  it('lists a VM that a response names twice once', async () => {
    const listPath = `/subscriptions/${RESEARCH}/providers/Microsoft.Compute/virtualMachines`;
    const page = await httpsRequest(`${arm.endpoint}${listPath}?api-version=2024-07-01`, arm.caPem, {
      headers: { Authorization: `Bearer ${arm.staticToken}` },
    });
    const first = jsonArray(page.json, 'value')[0];
    const name = jsonString(first, 'name');
    arm.faults.add({ kind: 'respond', method: 'GET', path: `${listPath}\\?api-version=[^&]*$`, body: { value: [first, first] }, times: 1 });
    await inventory.refresh();
    assert.deepStrictEqual(
      inventory.allVms().map((vm) => vm.name),
      [name],
    );
  });

  it("shows a partitioned GPU as the catalog's fraction, though its SKU says GPUs: 1", () => {
    const slice = vmNamed('gpu-a10-slice');
    assert.strictEqual(slice.gpus?.count, 1 / 6);
    assert.strictEqual(slice.gpus?.model?.name, 'A10');
    assert.strictEqual(vmNamed('gpu-t4').gpus?.count, 1, 'a whole GPU keeps the SKU count');
  });
});
