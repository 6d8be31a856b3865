import * as assert from 'assert';
import { GPU_FAMILIES } from '../../../../src/azure/gpuCatalog';
import type { PowerState } from '../../../../src/azure/powerState';
import type { AzureScaleSet } from '../../../../src/azure/scaleSet';
import {
  instanceNeeds,
  scaleConfirmation,
  scaleSetContextValue,
  scaleSetDescription,
  scaleSetInstanceContextValue,
  scaleSetTooltipRows,
} from '../../../../src/features/clusters/scaleSetPresentation';

const ndA100 = GPU_FAMILIES.find((f) => f.series === 'NDm A100 v4')!;
const SET_ID = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-nd';

function scaleSet(states: PowerState[], overrides: Partial<AzureScaleSet> = {}): AzureScaleSet {
  return {
    id: SET_ID,
    name: 'vmss-nd',
    subscriptionId: 's1',
    resourceGroup: 'rg',
    location: 'eastus',
    size: 'Standard_ND96amsr_A100_v4',
    orchestration: 'Uniform',
    capacity: states.length,
    vCPUs: 96,
    gpus: { count: 8, model: ndA100.gpu, series: ndA100.series },
    instances: states.map((powerState, i) => ({
      instanceId: String(i),
      vm: {
        id: `${SET_ID}/virtualMachines/${i}`,
        name: `vmss-nd_${i}`,
        subscriptionId: 's1',
        resourceGroup: 'rg',
        location: 'eastus',
        size: 'Standard_ND96amsr_A100_v4',
        status: { powerState },
        networkInterfaceIds: [],
      },
    })),
    ...overrides,
  };
}

describe('Scale set presentation', () => {
  it('reads "instances × GPUs per instance · states", the way the issue asks', () => {
    assert.strictEqual(scaleSetDescription(scaleSet(['running', 'running', 'running', 'running'])), '4 × 8× A100 80GB · 4 running');
    assert.strictEqual(
      scaleSetDescription(scaleSet(['deallocated', 'running', 'stopped'])),
      '3 × 8× A100 80GB · 1 running, 1 stopped (still billing), 1 deallocated',
    );
    assert.strictEqual(scaleSetDescription(scaleSet([])), '0 × 8× A100 80GB · no instances');
    assert.strictEqual(scaleSetDescription(scaleSet(['running']), 'scale'), '1 × 8× A100 80GB · Scaling…');
    assert.strictEqual(scaleSetDescription(scaleSet([], { instancesProblem: 'Forbidden' })), '0 × 8× A100 80GB · instances unreadable');
  });

  it('offers Start All while an instance is not running and Deallocate All while one is not deallocated, nothing while busy', () => {
    assert.strictEqual(scaleSetContextValue(scaleSet(['running', 'running'])), 'scaleSet:deallocate');
    assert.strictEqual(scaleSetContextValue(scaleSet(['deallocated'])), 'scaleSet:start');
    assert.strictEqual(scaleSetContextValue(scaleSet(['running', 'deallocated'])), 'scaleSet:start:deallocate');
    assert.strictEqual(scaleSetContextValue(scaleSet([])), 'scaleSet');
    assert.strictEqual(scaleSetContextValue(scaleSet(['running']), 'start'), 'scaleSet:busy');
    assert.strictEqual(scaleSetInstanceContextValue(scaleSet(['stopped']).instances[0].vm), 'scaleSetInstance:stopped');
    assert.strictEqual(scaleSetInstanceContextValue(scaleSet(['stopped']).instances[0].vm, 'deallocate'), 'scaleSetInstance:busy');
  });

  it('counts an instance for Start unless it runs or starts, for Deallocate unless it is (being) deallocated', () => {
    assert.deepStrictEqual(
      (['running', 'starting', 'stopped', 'deallocated', 'deallocating'] as PowerState[]).map((s) => [
        instanceNeeds('start', s),
        instanceNeeds('deallocate', s),
      ]),
      [
        [false, true],
        [false, true],
        [true, true],
        [true, false],
        [true, false],
      ],
    );
  });

  it('says in the confirmation what scaling out costs and what scaling in deletes', () => {
    const out = scaleConfirmation(scaleSet(['running', 'running']), 5);
    assert.strictEqual(out.question, 'Scale vmss-nd out from 2 to 5 instances?');
    assert.match(out.detail, /creates 3 instances of Standard_ND96amsr_A100_v4 \(8× A100 80GB each\) and starts them/);
    assert.match(out.detail, /billed/);
    assert.strictEqual(out.button, 'Scale to 5');
    const inward = scaleConfirmation(scaleSet(['running', 'running']), 1);
    assert.strictEqual(inward.question, 'Scale vmss-nd in from 2 to 1 instance?');
    assert.match(inward.detail, /deletes 1 instance .*lost/);
  });

  it('shows in the tooltip a capacity that differs from the instances listed', () => {
    const rows = new Map(scaleSetTooltipRows(scaleSet(['running'], { capacity: 3 })));
    assert.strictEqual(rows.get('Capacity'), '3 (Azure is adding or removing instances)');
    assert.strictEqual(rows.get('GPUs per instance'), '8× A100 80GB');
    assert.ok(!new Map(scaleSetTooltipRows(scaleSet(['running']))).has('Capacity'));
  });
});
