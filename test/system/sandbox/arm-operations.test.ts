import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ComputeManagementClient } from '@azure/arm-compute';
import { type ArmStandIn, type PowerState, StaticTokenCredential, httpsRequest, startArmStandIn } from '../../sandbox/arm';
import { computeClient } from '../../sandbox/arm/sdk-clients';
import { jsonString } from '../../json';
import { restError } from './restError';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const FAST_POLL = { updateIntervalInMs: 20 };

describe('ARM stand-in: power operations', () => {
  let stateDir: string;
  let arm: ArmStandIn;
  let compute: ComputeManagementClient;
  const hookCalls: Array<{ vm: string; state: PowerState; stateDuringHook: PowerState }> = [];
  const hookCompletions: string[] = [];
  let hookDelayMs = 0;
  let hookError: Error | undefined;

  async function powerState(vm: string): Promise<string | undefined> {
    const view = await compute.virtualMachines.instanceView('rg-training', vm);
    return view.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code;
  }

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-ops-'));
    arm = await startArmStandIn({
      stateDir,
      operationMs: 250,
      onPowerChange: async (vm, state) => {
        hookCalls.push({ vm: vm.name, state, stateDuringHook: vm.powerState });
        await new Promise((resolve) => setTimeout(resolve, hookDelayMs));
        if (hookError) {
          throw hookError;
        }
        hookCompletions.push(`${vm.name}:${state}`);
      },
    });
    compute = computeClient(arm, new StaticTokenCredential(arm.staticToken), RESEARCH);
  });

  beforeEach(() => {
    hookCalls.length = 0;
    hookCompletions.length = 0;
    hookDelayMs = 0;
    hookError = undefined;
  });

  after(async () => {
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('deallocates then starts a VM, showing the transitional states and awaiting the hook', async () => {
    hookDelayMs = 200;
    const deallocation = compute.virtualMachines.deallocate('rg-training', 'gpu-a100-1', FAST_POLL);
    await deallocation.submitted();
    assert.strictEqual(await powerState('gpu-a100-1'), 'PowerState/deallocating');
    await deallocation;
    assert.deepStrictEqual(hookCompletions, ['gpu-a100-1:deallocated'], 'the operation reported Succeeded before the hook finished');
    assert.strictEqual(await powerState('gpu-a100-1'), 'PowerState/deallocated');
    assert.deepStrictEqual(hookCalls, [{ vm: 'gpu-a100-1', state: 'deallocated', stateDuringHook: 'deallocating' }]);

    hookDelayMs = 0;
    const start = compute.virtualMachines.start('rg-training', 'gpu-a100-1', FAST_POLL);
    await start.submitted();
    assert.strictEqual(await powerState('gpu-a100-1'), 'PowerState/starting');
    await start;
    assert.strictEqual(await powerState('gpu-a100-1'), 'PowerState/running');
    assert.deepStrictEqual(
      hookCalls.map((c) => c.state),
      ['deallocated', 'running'],
    );
  });

  it('runs through the deprecated beginXAndWait methods too', async () => {
    await compute.virtualMachines.beginPowerOffAndWait('rg-training', 'gpu-a100-2', FAST_POLL);
    assert.strictEqual(arm.state.vmNamed('gpu-a100-2').powerState, 'stopped');
    await compute.virtualMachines.beginStartAndWait('rg-training', 'gpu-a100-2', FAST_POLL);
    await compute.virtualMachines.beginRestartAndWait('rg-training', 'gpu-a100-2', FAST_POLL);
    assert.strictEqual(arm.state.vmNamed('gpu-a100-2').powerState, 'running');
    assert.deepStrictEqual(
      hookCalls.map((c) => c.state),
      ['stopped', 'running', 'stopped', 'running'],
    );
  });

  it('answers a power action with 202, Azure-AsyncOperation, Location and Retry-After', async () => {
    const vmPath = `/subscriptions/${RESEARCH}/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/dev-box`;
    const auth = { Authorization: `Bearer ${arm.staticToken}` };
    const accepted = await httpsRequest(`${arm.endpoint}${vmPath}/deallocate?api-version=2026-03-01`, arm.caPem, {
      method: 'POST',
      headers: auth,
    });
    assert.strictEqual(accepted.status, 202);
    assert.strictEqual(accepted.headers['retry-after'], '1');
    const asyncUrl = String(accepted.headers['azure-asyncoperation']);
    const locationUrl = String(accepted.headers['location']);
    assert.match(
      asyncUrl,
      /^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/providers\/Microsoft\.Compute\/locations\/westus2\/operations\//,
    );
    const inProgress = await httpsRequest(asyncUrl, arm.caPem, { headers: auth });
    assert.strictEqual(jsonString(inProgress.json, 'status'), 'InProgress');
    assert.strictEqual((await httpsRequest(locationUrl, arm.caPem, { headers: auth })).status, 202);
    await arm.operations.idle();
    const done = await httpsRequest(asyncUrl, arm.caPem, { headers: auth });
    assert.strictEqual(jsonString(done.json, 'status'), 'Succeeded');
    assert.ok(jsonString(done.json, 'endTime'));
    assert.strictEqual((await httpsRequest(locationUrl, arm.caPem, { headers: auth })).status, 200);
    assert.strictEqual(arm.state.vmNamed('dev-box').powerState, 'deallocated');
  });

  it('fails a start with AllocationFailed and leaves the VM deallocated', async () => {
    arm.operations.failNext({ vmName: 'gpu-t4', action: 'start', code: 'AllocationFailed' });
    await assert.rejects(compute.virtualMachines.start('rg-training', 'gpu-t4', FAST_POLL), /AllocationFailed/);
    assert.strictEqual(await powerState('gpu-t4'), 'PowerState/deallocated');
    const vm = await compute.virtualMachines.get('rg-training', 'gpu-t4');
    assert.strictEqual(vm.provisioningState, 'Failed');
    assert.deepStrictEqual(hookCalls, []);
    await compute.virtualMachines.start('rg-training', 'gpu-t4', FAST_POLL);
    assert.strictEqual(await powerState('gpu-t4'), 'PowerState/running');
    assert.strictEqual((await compute.virtualMachines.get('rg-training', 'gpu-t4')).provisioningState, 'Succeeded');
    await compute.virtualMachines.deallocate('rg-training', 'gpu-t4', FAST_POLL);
  });

  it('fails the operation when the hook throws, restoring the prior state', async () => {
    hookError = new Error('sshd did not stop');
    await assert.rejects(compute.virtualMachines.deallocate('rg-training', 'gpu-a100-2', FAST_POLL), /sshd did not stop/);
    assert.strictEqual(arm.state.vmNamed('gpu-a100-2').powerState, 'running');
  });

  it('refuses a second operation while one is in flight, and powerOff of a deallocated VM (409)', async () => {
    const first = compute.virtualMachines.deallocate('rg-training', 'gpu-a100-2', FAST_POLL);
    await first.submitted();
    await assert.rejects(
      compute.virtualMachines.start('rg-training', 'gpu-a100-2', FAST_POLL),
      restError({ statusCode: 409, code: 'OperationNotAllowed' }),
    );
    await first;
    await assert.rejects(compute.virtualMachines.powerOff('rg-training', 'gpu-a100-2', FAST_POLL), restError({ statusCode: 409 }));
    await compute.virtualMachines.start('rg-training', 'gpu-a100-2', FAST_POLL);
  });

  it('changes a power state from the admin path, as if from the portal', async () => {
    const response = await httpsRequest(`${arm.endpoint}/_sandbox/vms/gpu-a100-1/power-state`, arm.caPem, {
      method: 'POST',
      body: { state: 'deallocated' },
    });
    assert.strictEqual(response.status, 200);
    assert.strictEqual(await powerState('gpu-a100-1'), 'PowerState/deallocated');
    assert.deepStrictEqual(
      hookCalls.map((c) => [c.vm, c.state]),
      [['gpu-a100-1', 'deallocated']],
    );
    await arm.setPowerState('gpu-a100-1', 'running');
  });
});
