import * as assert from 'assert';
import { GPU_FAMILIES } from '../../../../src/azure/gpuCatalog';
import type { AzureVm } from '../../../../src/azure/virtualMachine';
import {
  formatGpuCount,
  subscriptionDescription,
  vmContextValue,
  vmDescription,
  vmIcon,
  vmTooltipRows,
} from '../../../../src/features/clusters/clustersPresentation';

const a100 = GPU_FAMILIES.find((f) => f.series === 'NC A100 v4')!;

function vm(overrides: Partial<AzureVm> = {}): AzureVm {
  return {
    id: '/subscriptions/s1/resourceGroups/rg-training/providers/Microsoft.Compute/virtualMachines/gpu-a100-1',
    name: 'gpu-a100-1',
    subscriptionId: 's1',
    resourceGroup: 'rg-training',
    location: 'eastus',
    size: 'Standard_NC48ads_A100_v4',
    vCPUs: 48,
    memoryGB: 440,
    gpus: { count: 2, model: a100.gpu, series: a100.series },
    status: { powerState: 'running' },
    publicIp: '20.1.2.3',
    privateIp: '10.0.0.4',
    osUser: 'azureuser',
    networkInterfaceIds: [],
    ...overrides,
  };
}

describe('clusters presentation', () => {
  it('describes a GPU VM by GPUs, location and state', () => {
    assert.strictEqual(vmDescription(vm()), '2× A100 80GB · eastus · running');
  });

  it('describes a VM without GPUs by its size, and says a stopped VM still bills', () => {
    assert.strictEqual(
      vmDescription(vm({ gpus: undefined, size: 'Standard_D4s_v5', status: { powerState: 'stopped' } })),
      'Standard_D4s_v5 · eastus · stopped (still billing)',
    );
  });

  it('shows a running operation in place of the state', () => {
    assert.strictEqual(vmDescription(vm(), 'deallocate'), '2× A100 80GB · eastus · Deallocating…');
    assert.strictEqual(vmIcon(vm(), 'start').id, 'loading~spin');
    assert.strictEqual(vmContextValue(vm(), 'start'), 'vm:busy');
  });

  it('writes partitioned and unknown-model GPUs', () => {
    assert.strictEqual(formatGpuCount(1 / 6), '1/6');
    assert.strictEqual(formatGpuCount(4), '4×');
    assert.strictEqual(vmDescription(vm({ gpus: { count: 4 } })), '4× GPU · eastus · running');
  });

  it('gives each state its icon and colour', () => {
    assert.deepStrictEqual(vmIcon(vm()), { id: 'vm-running', color: 'testing.iconPassed' });
    assert.strictEqual(vmIcon(vm({ status: { powerState: 'deallocated' } })).id, 'vm-outline');
    assert.strictEqual(vmIcon(vm({ status: { powerState: 'stopped' } })).color, 'list.warningForeground');
    assert.strictEqual(vmIcon(vm({ status: { powerState: 'starting' } })).id, 'loading~spin');
    assert.deepStrictEqual(vmIcon(vm({ status: { powerState: 'deallocated', provisioningError: 'x' } })), {
      id: 'error',
      color: 'list.errorForeground',
    });
  });

  it('gives menus the power state, and keeps Start on a VM whose start failed', () => {
    assert.strictEqual(vmContextValue(vm()), 'vm:running');
    const failed = vmContextValue(vm({ status: { powerState: 'deallocated', provisioningError: 'AllocationFailed' } }));
    assert.strictEqual(failed, 'vm:deallocated:failed');
    assert.match(failed, /^vm:(deallocated|stopped)/, 'the Start menu entry matches it');
  });

  it('lists size, vCPUs, memory, GPUs, group, addresses and user in the tooltip', () => {
    const rows = new Map(vmTooltipRows(vm({ zone: '1' })));
    assert.strictEqual(rows.get('Size'), 'Standard_NC48ads_A100_v4 (NC A100 v4)');
    assert.strictEqual(rows.get('vCPUs'), '48');
    assert.strictEqual(rows.get('Memory'), '440 GB');
    assert.strictEqual(rows.get('GPUs'), '2 × NVIDIA A100 80GB');
    assert.strictEqual(rows.get('Resource group'), 'rg-training');
    assert.strictEqual(rows.get('Location'), 'eastus (zone 1)');
    assert.strictEqual(rows.get('Public IP'), '20.1.2.3');
    assert.strictEqual(rows.get('Private IP'), '10.0.0.4');
    assert.strictEqual(rows.get('OS user'), 'azureuser');
    assert.strictEqual(rows.has('Provisioning error'), false);
  });

  it('shows a running VM whose provisioning failed as running, with the error in the tooltip', () => {
    const extensionError =
      "VM has reported a failure when processing extension 'CustomScript'. Error message: 'Enable failed: exit status 1'.";
    const running = vm({ status: { powerState: 'running', provisioningError: extensionError } });
    assert.strictEqual(vmDescription(running), '2× A100 80GB · eastus · running · provisioning failed');
    assert.deepStrictEqual(vmIcon(running), { id: 'vm-running', color: 'list.warningForeground' });
    const rows = new Map(vmTooltipRows(running));
    assert.strictEqual(rows.get('State'), 'running · provisioning failed');
    assert.strictEqual(rows.get('Provisioning error'), extensionError);
    assert.strictEqual(vmContextValue(running), 'vm:running:failed');
    assert.match(vmContextValue(running), /^vm:running/, 'the actions of a running VM stay offered');
  });

  it('keeps "failed" for a VM whose provisioning failed while it does not run', () => {
    const deallocated = vm({ status: { powerState: 'deallocated', provisioningError: 'Allocation failed.' } });
    assert.strictEqual(vmDescription(deallocated), '2× A100 80GB · eastus · failed');
    assert.strictEqual(new Map(vmTooltipRows(deallocated)).get('Provisioning error'), 'Allocation failed.');
  });

  it('counts the warnings of a subscription listed in part', () => {
    assert.strictEqual(subscriptionDescription(1, []), '1 VM');
    assert.strictEqual(subscriptionDescription(3, ['Public IP addresses could not be read']), '3 VMs · 1 warning');
    assert.strictEqual(subscriptionDescription(0, ['a', 'b']), '0 VMs · 2 warnings');
  });

  it('says why a deallocated VM has no public IP', () => {
    const rows = new Map(vmTooltipRows(vm({ publicIp: undefined, status: { powerState: 'deallocated' } })));
    assert.strictEqual(rows.get('Public IP'), 'none while deallocated');
  });

  it('lists a public IPv6 address beside the IPv4 one, and once when it is the only one', () => {
    const dualStack = new Map(vmTooltipRows(vm({ publicIpv6: '2001:db8::a100' })));
    assert.strictEqual(dualStack.get('Public IP'), '20.1.2.3');
    assert.strictEqual(dualStack.get('Public IPv6'), '2001:db8::a100');
    const v6Only = new Map(vmTooltipRows(vm({ publicIp: '2001:db8::a100', publicIpv6: '2001:db8::a100' })));
    assert.strictEqual(v6Only.get('Public IP'), '2001:db8::a100');
    assert.strictEqual(v6Only.has('Public IPv6'), false);
  });

  it('says an address the role may not read is unknown, not absent', () => {
    const publicUnread = new Map(vmTooltipRows(vm({ publicIp: undefined, unreadAddresses: 'public' })));
    assert.match(publicUnread.get('Public IP') ?? '', /^unknown \(your Azure role may not read it/);
    assert.strictEqual(publicUnread.get('Private IP'), '10.0.0.4');
    const allUnread = new Map(vmTooltipRows(vm({ publicIp: undefined, privateIp: undefined, unreadAddresses: 'all' })));
    assert.match(allUnread.get('Private IP') ?? '', /^unknown/);
  });
});
