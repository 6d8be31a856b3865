import * as assert from 'assert';
import { machineKey, parseMachineKey, sameMachine, sshMachine, vmMachine } from '../../../src/common/machine';

const vmId = '/subscriptions/s1/resourceGroups/Train/providers/Microsoft.Compute/virtualMachines/gpu-A100-1';

describe('machine identity', () => {
  it('builds a VM machine from its id and name, an SSH machine from its destination', () => {
    assert.deepStrictEqual(vmMachine({ id: vmId, name: 'gpu-A100-1' }), { kind: 'vm', id: vmId, label: 'gpu-A100-1' });
    assert.deepStrictEqual(sshMachine('me@lab:2222'), { kind: 'ssh', id: 'me@lab:2222', label: 'me@lab:2222' });
  });

  it('keys a VM without case, as Azure compares resource ids, and an SSH destination as written', () => {
    assert.strictEqual(machineKey(vmMachine({ id: vmId, name: 'x' })), `vm:${vmId.toLowerCase()}`);
    assert.strictEqual(machineKey({ kind: 'vm', id: vmId.toUpperCase() }), machineKey({ kind: 'vm', id: vmId }));
    assert.strictEqual(machineKey(sshMachine('Lab-GPU')), 'ssh:Lab-GPU');
    assert.notStrictEqual(machineKey(sshMachine('Lab-GPU')), machineKey(sshMachine('lab-gpu')));
  });

  it('parses a key back to the same machine, with the label given or one made from the id', () => {
    for (const machine of [vmMachine({ id: vmId, name: 'my label' }), sshMachine('me@[::1]:22'), sshMachine('alias')]) {
      const parsed = parseMachineKey(machineKey(machine), machine.label);
      assert.ok(sameMachine(parsed, machine), machineKey(machine));
      assert.strictEqual(parsed.label, machine.label);
      assert.strictEqual(parsed.kind, machine.kind);
    }
    assert.deepStrictEqual(parseMachineKey('ssh:me@lab:2222'), sshMachine('me@lab:2222'));
    assert.deepStrictEqual(parseMachineKey(`vm:${vmId}`), { kind: 'vm', id: vmId, label: 'gpu-A100-1' });
    // A destination may hold anything after the prefix, a colon or a newline included.
    assert.strictEqual(parseMachineKey('ssh:a:b\nc').id, 'a:b\nc');
  });

  it('refuses what is not a machine key', () => {
    for (const key of ['', 'vm:', 'host:x', '/subscriptions/s/x', 'VM:/x']) assert.throws(() => parseMachineKey(key), /Not a machine key/);
  });

  it('tells the same machine apart from another, whatever the labels', () => {
    assert.ok(sameMachine(vmMachine({ id: vmId, name: 'a' }), { kind: 'vm', id: vmId.toLowerCase() }));
    assert.ok(!sameMachine(vmMachine({ id: vmId, name: 'a' }), { kind: 'ssh', id: vmId }));
    assert.ok(!sameMachine(sshMachine('lab'), sshMachine('lab2')));
  });
});
