import * as assert from 'assert';
import type { AzureVm } from '../../../../src/azure/virtualMachine';
import type { PowerAction } from '../../../../src/azure/powerActions';
import { silentLogger } from '../../../../src/common/logger';
import type { MachineRef } from '../../../../src/common/machine';
import type { JobHost } from '../../../../src/jobs/jobHost';
import { CostGuardPolicies } from '../../../../src/features/costGuard/costGuardState';
import { FallbackDeallocator } from '../../../../src/features/costGuard/fallbackDeallocator';
import { defaultIdleCriteria } from '../../../../src/costGuard/policy';

function vm(name: string, powerState: 'running' | 'deallocated' = 'running'): AzureVm {
  return {
    id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    subscriptionId: 's',
    resourceGroup: 'g',
    location: 'eastus',
    size: 'Standard_NC48ads_A100_v4',
    status: { powerState },
    networkInterfaceIds: [],
  };
}

class MapStorage {
  private readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

/** The watchdog's state.json on each VM, as `cat` returns it. */
function stateJson(kind: string, message: string, secondsAgo = 10): string {
  return JSON.stringify({ lastCheck: { at: Date.now() / 1000 - secondsAgo, kind, message } });
}

describe('deallocating from VS Code on the watchdog’s verdict', () => {
  const policy = { idleMinutes: 30, idleWhen: defaultIdleCriteria };

  async function round(vms: AzureVm[], states: Record<string, string>, selfDeallocates: Record<string, boolean>): Promise<string[]> {
    const policies = new CostGuardPolicies(new MapStorage());
    for (const [name, self] of Object.entries(selfDeallocates)) await policies.set(vm(name).id, { policy, selfDeallocates: self });
    const deallocated: string[] = [];
    const read: string[] = [];
    const connect = (machine: MachineRef): Promise<Pick<JobHost, 'machine' | 'exec'>> => {
      read.push(machine.label);
      return Promise.resolve({
        machine,
        exec: () => Promise.resolve({ exitCode: 0, stdout: states[machine.label] ?? '', stderr: '' }),
      });
    };
    const runAction = (target: AzureVm, action: PowerAction): Promise<AzureVm> => {
      deallocated.push(`${action} ${target.name}`);
      return Promise.resolve(target);
    };
    const fallback = new FallbackDeallocator({
      vms: { visibleVms: () => vms, runAction },
      policies,
      connect,
      log: silentLogger,
      intervalMs: 3_600_000,
    });
    try {
      await fallback.check();
    } finally {
      fallback.dispose();
    }
    return [...deallocated, ...read.map((name) => `read ${name}`)];
  }

  it("keeps each VM's policy, and reads back only a usable one", async () => {
    const storage = new MapStorage();
    const policies = new CostGuardPolicies(storage);
    await policies.set(vm('GPU-1').id, { policy, selfDeallocates: true });
    assert.deepStrictEqual(policies.of(vm('gpu-1').id), { policy, selfDeallocates: true });
    await policies.set(vm('gpu-1').id, undefined);
    assert.strictEqual(policies.of(vm('gpu-1').id), undefined);
    await storage.update('azurePytorch.costGuard.policies', {
      [vm('gpu-2').id.toLowerCase()]: { policy: { idleWhen: {} }, selfDeallocates: 1 },
    });
    assert.strictEqual(policies.of(vm('gpu-2').id), undefined);
  });

  it('deallocates a running VM that may not deallocate itself once its watchdog finds it idle past its policy', async () => {
    const done = await round([vm('gpu-1')], { 'gpu-1': stateJson('deallocate', 'idle since 13:00 (no job)') }, { 'gpu-1': false });
    assert.deepStrictEqual(done, ['deallocate gpu-1', 'read gpu-1']);
  });

  it('leaves alone a busy VM, a VM that deallocates itself, one without a policy and one not running', async () => {
    const vms = [vm('busy'), vm('self'), vm('none'), vm('off', 'deallocated')];
    const states = {
      busy: stateJson('busy', 'job j-1 running'),
      self: stateJson('deallocate', 'idle'),
      none: stateJson('deallocate', 'idle'),
      off: stateJson('deallocate', 'idle'),
    };
    const done = await round(vms, states, { busy: false, self: true, off: false });
    assert.deepStrictEqual(done, ['read busy']);
  });
});
