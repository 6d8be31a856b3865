import * as assert from 'assert';
import { sshHostOf, subscriptionIdOf, vmIdOf } from '../../../../src/features/clusters/nodeArguments';

describe('Clusters node arguments', () => {
  const vm = { kind: 'vm', vmId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/gpu' };
  const host = { kind: 'sshHost', host: 'me@box:2222', source: 'added' };
  const subscription = { kind: 'subscription', subscriptionId: 'sub-1' };

  it('reads the field of the node kind it is about', () => {
    assert.strictEqual(vmIdOf(vm), vm.vmId);
    assert.strictEqual(sshHostOf(host), 'me@box:2222');
    assert.strictEqual(subscriptionIdOf(subscription), 'sub-1');
  });

  it("reads a scale set instance's id as a VM's, so that Copy IP and SSH take it", () => {
    const instance = {
      kind: 'scaleSetInstance',
      vmId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0',
    };
    assert.strictEqual(vmIdOf(instance), instance.vmId);
    assert.strictEqual(vmIdOf({ kind: 'scaleSet', scaleSetId: 'x', vmId: 'y' }), undefined);
  });

  it('reads nothing from another kind of node, or from what is not a node', () => {
    for (const arg of [
      undefined,
      null,
      'vm',
      42,
      host,
      subscription,
      { vmId: vm.vmId },
      { kind: 'vm', vmId: 7 },
      { kind: 'vm', vmId: '' },
    ]) {
      assert.strictEqual(vmIdOf(arg), undefined, JSON.stringify(arg));
    }
    assert.strictEqual(sshHostOf(vm), undefined);
    assert.strictEqual(subscriptionIdOf(host), undefined);
  });
});
