import * as assert from 'assert';
import type { PowerState } from '../../../src/azure/powerState';
import { machineKey, sshMachine, vmMachine, type MachineRef } from '../../../src/common/machine';
import type { JobRecord } from '../../../src/jobs/jobStore';
import {
  busyMachines,
  lastUsedMachine,
  mustStartSeparator,
  orderTargets,
  sshHostsSeparator,
  type OfferedMachine,
  type TargetOrder,
} from '../../../src/jobs/targetOrder';
import { jobSpec } from './fixtures';

function vm(name: string, powerState: PowerState, subscription = 's1', reachable = true): OfferedMachine {
  return {
    machine: vmMachine({ id: `/subscriptions/${subscription}/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/${name}`, name }),
    powerState,
    reachable,
  };
}

function ssh(host: string): OfferedMachine {
  return { machine: sshMachine(host), reachable: true };
}

/** The pick as text: machine labels, separators as `--- label`. */
function shape(order: TargetOrder<OfferedMachine>): string[] {
  return order.entries.map((e) =>
    e.kind === 'separator'
      ? `--- ${e.label}`
      : e.kind === 'create'
        ? 'Create GPU VM…'
        : `${e.item.machine.label}${e.lastUsed ? ' (last)' : ''}`,
  );
}

function record(
  script: string,
  machine: MachineRef,
  createdAt: string,
  state: JobRecord['state'] = { kind: 'succeeded' },
  folder = 'file:///work/project',
): JobRecord {
  return {
    spec: jobSpec({ script, workspaceFolder: folder, createdAt, nodes: [{ target: machine, address: machine.label }] }),
    state,
    startedAt: Date.parse(createdAt),
  };
}

// The listing's order: the first subscription's deallocated H100 comes before the running A100s.
const h100 = vm('gpu-h100', 'deallocated', 'production');
const nd96 = vm('gpu-nd96', 'stopped', 'production');
const a100a = vm('gpu-a100-1', 'running');
const a100b = vm('gpu-a100-2', 'running');
const t4 = vm('gpu-t4', 'deallocated');
const lab = ssh('me@lab');
const listed = [h100, nd96, a100a, a100b, t4, lab];

describe('the order of the machine pick', () => {
  it('puts running VMs first, then SSH hosts, then VMs that must be started under a separator; Enter takes a running one', () => {
    const order = orderTargets(listed, { busy: new Set() });
    assert.deepStrictEqual(shape(order), [
      'gpu-a100-1',
      'gpu-a100-2',
      `--- ${sshHostsSeparator}`,
      'me@lab',
      `--- ${mustStartSeparator}`,
      'gpu-h100',
      'gpu-nd96',
      'gpu-t4',
    ]);
    assert.strictEqual(order.defaultItem, a100a);
    assert.strictEqual(mustStartSeparator, 'Deallocated — starting one bills it');
  });

  it('puts the machine last used first', () => {
    const order = orderTargets(listed, { lastUsed: a100b.machine, busy: new Set() });
    assert.deepStrictEqual(shape(order).slice(0, 2), ['gpu-a100-2 (last)', 'gpu-a100-1']);
    assert.strictEqual(order.defaultItem, a100b);
  });

  it('never makes a VM that must be started the default, even when it was last used', () => {
    const order = orderTargets(listed, { lastUsed: h100.machine, busy: new Set() });
    assert.strictEqual(order.defaultItem, a100a);
    assert.deepStrictEqual(shape(order).slice(-3), ['gpu-h100 (last)', 'gpu-nd96', 'gpu-t4']);
    const onlyStopped = orderTargets([h100, nd96], { lastUsed: h100.machine, busy: new Set() });
    assert.strictEqual(onlyStopped.defaultItem, undefined, 'nothing for Enter to take');
    assert.deepStrictEqual(shape(onlyStopped), [`--- ${mustStartSeparator}`, 'gpu-h100 (last)', 'gpu-nd96']);
  });

  it('puts running VMs whose GPUs a job holds after the free ones, and unreachable ones last of the running', () => {
    const noAddress = vm('gpu-no-ip', 'running', 's1', false);
    const order = orderTargets([noAddress, a100a, a100b], { lastUsed: a100a.machine, busy: new Set([machineKey(a100a.machine)]) });
    assert.deepStrictEqual(shape(order), ['gpu-a100-2', 'gpu-a100-1 (last)', 'gpu-no-ip']);
    assert.strictEqual(order.defaultItem, a100b);
    const busy = order.entries.find((e) => e.kind === 'machine' && e.item === a100a);
    assert.ok(busy?.kind === 'machine' && busy.busy);
  });

  it('makes an SSH host the default when no VM runs', () => {
    const order = orderTargets([h100, lab], { busy: new Set() });
    assert.strictEqual(order.defaultItem, lab);
  });

  it('ends with "Create GPU VM…" when asked, which Enter takes only when there is no machine at all', () => {
    const order = orderTargets(listed, { busy: new Set(), offerCreate: true });
    assert.deepStrictEqual(shape(order).slice(-3), ['gpu-t4', '--- ', 'Create GPU VM…']);
    assert.strictEqual(order.defaultItem, a100a);
    assert.strictEqual(order.createByDefault, false);
    const onlyStopped = orderTargets([h100], { busy: new Set(), offerCreate: true });
    assert.deepStrictEqual(shape(onlyStopped), [`--- ${mustStartSeparator}`, 'gpu-h100', '--- ', 'Create GPU VM…']);
    assert.strictEqual(onlyStopped.createByDefault, false, "starting a VM or creating one is the user's choice");
    const none = orderTargets([], { busy: new Set(), offerCreate: true });
    assert.deepStrictEqual(shape(none), ['--- ', 'Create GPU VM…']);
    assert.strictEqual(none.createByDefault, true);
    const notOffered = orderTargets([], { busy: new Set() });
    assert.deepStrictEqual(shape(notOffered), []);
    assert.strictEqual(notOffered.createByDefault, false);
  });
});

describe('the machine last used', () => {
  const a = vmMachine({ id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/a', name: 'a' });
  const b = vmMachine({ id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/b', name: 'b' });
  const c = sshMachine('me@c');

  it("is the newest job's of this script in this folder, else the newest job's in the folder", () => {
    const records = [
      record('other.py', c, '2026-11-25T15:00:00.000Z'),
      record('train.py', a, '2026-11-25T14:00:00.000Z'),
      record('train.py', b, '2026-11-25T13:00:00.000Z'),
      record('train.py', b, '2026-11-25T16:00:00.000Z', undefined, 'file:///elsewhere'),
    ];
    assert.strictEqual(lastUsedMachine(records, 'file:///work/project', 'train.py'), a);
    assert.strictEqual(lastUsedMachine(records, 'file:///work/project', 'eval.py'), c);
    assert.strictEqual(lastUsedMachine(records, 'file:///nowhere', 'train.py'), undefined);
  });

  it('counts the machines of active jobs as busy', () => {
    const records = [
      record('train.py', a, '2026-11-25T14:00:00.000Z', { kind: 'running' }),
      record('train.py', b, '2026-11-25T13:00:00.000Z'),
    ];
    assert.deepStrictEqual([...busyMachines(records)], [machineKey(a)]);
  });
});
