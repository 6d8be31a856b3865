import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArmAdminClient, type ArmStandIn, httpsRequest, StaticTokenCredential, startArmStandIn } from '../../sandbox/arm';
import { type RetryTiming, computeClient, subscriptionClient } from '../../sandbox/arm/sdk-clients';
import { jsonString } from '../../json';
import { restError } from './restError';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const PRODUCTION = '8c3e1b6d-4a2f-4d7e-9c85-2b6a0e4f1d93';
const QUICK_RETRIES: RetryTiming = { retryDelayInMs: 10, maxRetryDelayInMs: 40 };

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) {
    result.push(item);
  }
  return result;
}

describe('ARM stand-in: faults', () => {
  let stateDir: string;
  let arm: ArmStandIn;
  let credential: StaticTokenCredential;

  function listVms(subscription: string) {
    return collect(computeClient(arm, credential, subscription, QUICK_RETRIES).virtualMachines.listAll());
  }

  function listVmsWith(subscription: string, abortSignal: AbortSignal) {
    return collect(computeClient(arm, credential, subscription, QUICK_RETRIES).virtualMachines.listAll({ abortSignal }));
  }

  /** What `probe` gives once it gives something, checked every 20 ms for up to 10 s. */
  async function waitFor<T>(probe: () => T | undefined): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = probe();
      if (found) return found;
      assert.ok(Date.now() < deadline, 'the awaited request showed within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function statusesOf(pathPart: string, since: number): Array<number | undefined> {
    return arm.requestLog
      .slice(since)
      .filter((r) => r.path.includes(pathPart))
      .map((r) => r.status);
  }

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-faults-'));
    arm = await startArmStandIn({ stateDir });
    credential = new StaticTokenCredential(arm.staticToken);
  });

  afterEach(() => arm.faults.clear());

  after(async () => {
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('throttles one subscription with 429 + Retry-After, which the SDK waits out and retries', async () => {
    const fault = arm.faults.add({
      kind: 'throttle',
      method: 'GET',
      path: `${RESEARCH}/providers/Microsoft\\.Compute/virtualMachines\\?`,
      retryAfterSeconds: 1,
      times: 1,
    });
    const since = arm.requestLog.length;
    const started = Date.now();
    const vms = await listVms(RESEARCH);
    const elapsed = Date.now() - started;
    assert.strictEqual(vms.length, 4);
    assert.strictEqual(fault.hits, 1);
    assert.ok(elapsed >= 950, `retried after ${elapsed} ms, before Retry-After`);
    assert.deepStrictEqual(statusesOf(RESEARCH, since), [429, 200]);
    assert.strictEqual((await listVms(PRODUCTION)).length, 2);
    assert.deepStrictEqual(arm.faults.list(), []);
  });

  it('retries 500 and 503, and gives up on a server error that persists', async () => {
    arm.faults.add({ kind: 'error', status: 500, path: 'virtualMachines', times: 2 });
    let since = arm.requestLog.length;
    assert.strictEqual((await listVms(RESEARCH)).length, 4);
    assert.deepStrictEqual(statusesOf('virtualMachines', since), [500, 500, 200]);

    arm.faults.add({ kind: 'error', status: 503, path: 'virtualMachines', times: 1 });
    since = arm.requestLog.length;
    assert.strictEqual((await listVms(RESEARCH)).length, 4);
    assert.deepStrictEqual(statusesOf('virtualMachines', since), [503, 200]);

    const always = arm.faults.add({ kind: 'error', status: 500, path: 'virtualMachines' });
    await assert.rejects(listVms(RESEARCH), restError({ statusCode: 500, code: 'InternalServerError' }));
    assert.strictEqual(always.hits, 4, 'one request and three retries');
  });

  it('makes the SDK throw on a malformed JSON body', async () => {
    arm.faults.add({ kind: 'malformed', path: '^/subscriptions\\?', times: 1 });
    await assert.rejects(
      collect(subscriptionClient(arm, credential, QUICK_RETRIES).subscriptions.list()),
      restError({ code: 'PARSE_ERROR' }),
    );
    assert.strictEqual((await collect(subscriptionClient(arm, credential).subscriptions.list())).length, 3);
  });

  it('answers 401 and 403 without retrying them', async () => {
    arm.faults.add({ kind: 'unauthorized', path: 'virtualMachines', times: 1 });
    await assert.rejects(listVms(RESEARCH), restError({ statusCode: 401 }));
    const forbidden = arm.faults.add({ kind: 'forbidden', path: 'virtualMachines' });
    await assert.rejects(listVms(RESEARCH), restError({ statusCode: 403, code: 'AuthorizationFailed' }));
    assert.strictEqual(forbidden.hits, 1);
  });

  it('adds a delay to matching requests, and a global latency to every request', async () => {
    arm.faults.add({ kind: 'delay', delayMs: 300, path: 'virtualMachines', times: 1 });
    let started = Date.now();
    await listVms(RESEARCH);
    assert.ok(Date.now() - started >= 300);

    arm.updateSettings({ latencyMs: 50, pageSize: 1 });
    try {
      const before = arm.requestCount;
      started = Date.now();
      await listVms(PRODUCTION);
      assert.strictEqual(arm.requestCount - before, 2, 'two pages of one VM');
      assert.ok(Date.now() - started >= 100);
    } finally {
      arm.updateSettings({ latencyMs: 0, pageSize: 100 });
    }
  });

  it('takes faults over the admin HTTP path, for another process', async () => {
    const admin = ArmAdminClient.fromStateDir(stateDir);
    const rule = await admin.addFault({ kind: 'error', status: 503, path: PRODUCTION });
    assert.strictEqual(rule.rule.kind, 'error');
    await assert.rejects(listVms(PRODUCTION), restError({ statusCode: 503 }));
    assert.strictEqual((await listVms(RESEARCH)).length, 4);
    const [listed] = await admin.listFaults();
    assert.strictEqual(listed.hits, 4);
    await admin.clearFaults();
    assert.strictEqual((await listVms(PRODUCTION)).length, 2);
    const refused = await httpsRequest(`${arm.endpoint}/_sandbox/faults`, arm.caPem, { method: 'POST', body: { kind: 'nonsense' } });
    assert.strictEqual(refused.status, 400, refused.text);
  });

  it("refuses a VM start over the admin path with a 409 in Azure's shape and words (a quota refusal)", async () => {
    const admin = ArmAdminClient.fromStateDir(stateDir);
    await admin.addFault({ kind: 'error', method: 'POST', path: '/start', code: 'OperationNotAllowed', times: 1 });
    const url = `${arm.endpoint}/subscriptions/${RESEARCH}/resourceGroups/rg-training/providers/Microsoft.Compute/virtualMachines/gpu-t4/start?api-version=2024-07-01`;
    const refused = await httpsRequest(url, arm.caPem, { method: 'POST', headers: { Authorization: `Bearer ${arm.staticToken}` } });
    assert.strictEqual(refused.status, 409);
    assert.strictEqual(jsonString(refused.json, 'error', 'code'), 'OperationNotAllowed');
    assert.match(
      jsonString(refused.json, 'error', 'message'),
      /exceeding approved standardNCADSA100v4Family Cores quota\. .*Current Limit: 24/,
    );
    assert.strictEqual((await admin.state()).vms.find((vm) => vm.name === 'gpu-t4')?.powerState, 'deallocated');
  });

  it('refuses with 403 AuthorizationFailed naming the action and scope the request needs, as Azure words it', async () => {
    arm.faults.add({ kind: 'forbidden', path: '/publicIPAddresses|/start' });
    const headers = { Authorization: `Bearer ${arm.staticToken}` };
    const list = `${arm.endpoint}/subscriptions/${RESEARCH}/providers/Microsoft.Network/publicIPAddresses?api-version=2024-05-01`;
    const listRefused = await httpsRequest(list, arm.caPem, { headers });
    assert.strictEqual(listRefused.status, 403);
    assert.strictEqual(jsonString(listRefused.json, 'error', 'code'), 'AuthorizationFailed');
    assert.match(
      jsonString(listRefused.json, 'error', 'message'),
      new RegExp(
        `^The client '[^']+' with object id '[^']+' does not have authorization to perform action ` +
          `'Microsoft\\.Network/publicIPAddresses/read' over scope '/subscriptions/${RESEARCH}' or the scope is invalid\\.`,
      ),
    );
    const vm = `/subscriptions/${RESEARCH}/resourceGroups/rg-training/providers/Microsoft.Compute/virtualMachines/gpu-t4`;
    const startRefused = await httpsRequest(`${arm.endpoint}${vm}/start?api-version=2024-07-01`, arm.caPem, { method: 'POST', headers });
    assert.match(
      jsonString(startRefused.json, 'error', 'message'),
      new RegExp(`perform action 'Microsoft\\.Compute/virtualMachines/start/action' over scope '${vm}'`),
    );
  });

  it("answers 404 ResourceNotFound for the resource a path names, in Azure's words", async () => {
    const fault = arm.faults.add({ kind: 'notFound', method: 'GET', path: '/networkInterfaces/gpu-a100-1-nic\\?' });
    const nic = `/subscriptions/${RESEARCH}/resourceGroups/rg-training/providers/Microsoft.Network/networkInterfaces/gpu-a100-1-nic`;
    const headers = { Authorization: `Bearer ${arm.staticToken}` };
    const missing = await httpsRequest(`${arm.endpoint}${nic}?api-version=2024-05-01`, arm.caPem, { headers });
    assert.strictEqual(missing.status, 404);
    assert.strictEqual(jsonString(missing.json, 'error', 'code'), 'ResourceNotFound');
    assert.strictEqual(
      jsonString(missing.json, 'error', 'message'),
      "The Resource 'Microsoft.Network/networkInterfaces/gpu-a100-1-nic' under resource group 'rg-training' was not found. " +
        'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
    );
    assert.strictEqual(fault.hits, 1);
  });

  it('records a request the client aborted before it was answered', async () => {
    arm.faults.add({ kind: 'delay', delayMs: 5000, path: `${PRODUCTION}/providers/Microsoft\\.Compute/virtualMachines`, times: 1 });
    const before = arm.requestLog.length;
    const abort = new AbortController();
    const listing = listVmsWith(PRODUCTION, abort.signal);
    const held = await waitFor(() =>
      arm.requestLog.slice(before).find((r) => r.path.includes(`${PRODUCTION}/providers/Microsoft.Compute`)),
    );
    abort.abort();
    await assert.rejects(listing, (error: Error) => error.name === 'AbortError');
    await waitFor(() => held.aborted);
    assert.strictEqual(held.status, undefined, 'never answered');
  });

  it('fails the next VM start over the admin path', async () => {
    const admin = ArmAdminClient.fromStateDir(stateDir);
    await admin.updateSettings({ operationMs: 50 });
    await admin.failNextOperation({ vmName: 'gpu-t4', action: 'start', code: 'AllocationFailed' });
    const compute = computeClient(arm, credential, RESEARCH);
    await assert.rejects(compute.virtualMachines.start('rg-training', 'gpu-t4', { updateIntervalInMs: 20 }), /AllocationFailed/);
    const state = await admin.state();
    assert.strictEqual(state.vms.find((vm) => vm.name === 'gpu-t4')?.powerState, 'deallocated');
  });
});
