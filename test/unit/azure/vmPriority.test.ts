import * as assert from 'assert';
import type { VirtualMachine } from '@azure/arm-compute';
import { assembleVm } from '../../../src/azure/machines';

const model = (priority?: string): VirtualMachine => ({
  id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/gpu-1',
  name: 'gpu-1',
  location: 'eastus',
  hardwareProfile: { vmSize: 'Standard_NC48ads_A100_v4' },
  ...(priority ? { priority } : {}),
});

describe("a VM's priority", () => {
  it('is spot when the model says Spot (billed at the spot price), on-demand for Regular or none', () => {
    assert.strictEqual(assembleVm(model('Spot'), { powerState: 'running' }, {}, undefined).spot, true);
    assert.strictEqual(assembleVm(model('Regular'), { powerState: 'running' }, {}, undefined).spot, undefined);
    assert.strictEqual(assembleVm(model(), { powerState: 'running' }, {}, undefined).spot, undefined);
  });
});
