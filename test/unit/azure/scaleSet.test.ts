import * as assert from 'assert';
import type { VirtualMachineScaleSet, VirtualMachineScaleSetVM } from '@azure/arm-compute';
import { capacityProblem, instancesInOrder, instanceStateCounts, type ScaleSetInstance } from '../../../src/azure/scaleSet';
import { scaleSetFromModel, uniformInstanceVm } from '../../../src/azure/scaleSets';
import type { PowerState } from '../../../src/azure/powerState';

const SET_ID = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-nd';

function instance(instanceId: string, powerState: PowerState): ScaleSetInstance {
  return {
    instanceId,
    vm: {
      id: `${SET_ID}/virtualMachines/${instanceId}`,
      name: `vmss-nd_${instanceId}`,
      subscriptionId: 's1',
      resourceGroup: 'rg',
      location: 'eastus',
      size: 'Standard_ND96amsr_A100_v4',
      status: { powerState },
      networkInterfaceIds: [],
    },
  };
}

describe('Scale sets: pure parts', () => {
  it('accepts a whole instance count from 0 to 1000, and says what is wrong with anything else', () => {
    for (const ok of ['0', '1', ' 64 ', '1000']) assert.strictEqual(capacityProblem(ok), undefined, ok);
    for (const bad of ['', '-1', '2.5', 'four', '1e3', '0x10'])
      assert.match(capacityProblem(bad) ?? '', /whole number of instances from 0 to 1000/, bad);
    assert.strictEqual(capacityProblem('1001'), 'At most 1000 instances.');
  });

  it('counts instances by power state, running first, leaving out states none is in', () => {
    const counts = instanceStateCounts([
      instance('0', 'deallocated'),
      instance('1', 'running'),
      instance('2', 'running'),
      instance('3', 'starting'),
    ]);
    assert.deepStrictEqual(counts, [
      { state: 'running', count: 2 },
      { state: 'starting', count: 1 },
      { state: 'deallocated', count: 1 },
    ]);
    assert.deepStrictEqual(instanceStateCounts([]), []);
  });

  it('orders instances by their number, so that "10" follows "9" and node 0 is the lowest id', () => {
    const ordered = instancesInOrder([instance('10', 'running'), instance('9', 'running'), instance('0', 'running')]);
    assert.deepStrictEqual(
      ordered.map((i) => i.instanceId),
      ['0', '9', '10'],
    );
  });

  it("reads a scale set's size, capacity, orchestration and GPUs per instance from its model", () => {
    const model: VirtualMachineScaleSet = {
      id: SET_ID,
      name: 'vmss-nd',
      location: 'eastus',
      sku: { name: 'Standard_ND96amsr_A100_v4', capacity: 4 },
      orchestrationMode: 'Flexible',
    };
    const set = scaleSetFromModel(model, { vCPUs: 96, gpus: 8, memoryGB: 1900 });
    assert.deepStrictEqual(
      [set.name, set.resourceGroup, set.subscriptionId, set.orchestration, set.capacity, set.gpus?.count, set.gpus?.model?.name, set.vCPUs],
      ['vmss-nd', 'rg', 's1', 'Flexible', 4, 8, 'A100', 96],
    );
    assert.strictEqual(scaleSetFromModel({ ...model, orchestrationMode: undefined }, undefined).orchestration, 'Uniform');
    assert.strictEqual(scaleSetFromModel({ ...model, sku: { name: 'Standard_D4s_v5', capacity: 2 } }, { vCPUs: 4 }).gpus, undefined);
  });

  it("makes a Uniform instance a VM: the set's size and GPUs, its own state, addresses and user", () => {
    const set = scaleSetFromModel(
      { id: SET_ID, name: 'vmss-nd', location: 'eastus', sku: { name: 'Standard_ND96amsr_A100_v4', capacity: 1 } },
      { vCPUs: 96, gpus: 8 },
    );
    const model: VirtualMachineScaleSetVM = {
      id: `${SET_ID}/virtualMachines/3`,
      name: 'vmss-nd_3',
      location: 'eastus',
      instanceId: '3',
      instanceView: { statuses: [{ code: 'ProvisioningState/succeeded' }, { code: 'PowerState/deallocated' }] },
      networkProfile: { networkInterfaces: [{ id: `${SET_ID}/virtualMachines/3/networkInterfaces/nic` }] },
    };
    const { instanceId, vm } = uniformInstanceVm(model, set, { publicIp: '20.0.0.3', privateIp: '10.0.0.7' }, 'azureuser');
    assert.strictEqual(instanceId, '3');
    assert.deepStrictEqual(
      [vm.name, vm.size, vm.gpus?.count, vm.status.powerState, vm.publicIp, vm.privateIp, vm.osUser, vm.networkInterfaceIds.length],
      ['vmss-nd_3', 'Standard_ND96amsr_A100_v4', 8, 'deallocated', '20.0.0.3', '10.0.0.7', 'azureuser', 1],
    );
    assert.strictEqual(uniformInstanceVm({ ...model, instanceView: undefined }, set, {}, undefined).vm.status.powerState, 'unknown');
  });
});
