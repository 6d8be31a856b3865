/**
 * A large cloud for benchmarks: by default 1,000 VMs spread over 20 subscriptions of one tenant.
 * Deterministic (same options, same cloud). No VM has a simulated host; each has a static public
 * IP in 127.16.0.0/12, so anything that tries to connect fails fast on loopback.
 */
import { stableUuid } from './stable-uuid';
import type { CloudSpec, ResourceGroupSpec, SpecPowerState, SubscriptionSpec, VmSpec } from './cloud-spec';
import { loadCloudSpec } from './cloud-spec';

export interface LargeCloudOptions {
  subscriptions?: number;
  vmsPerSubscription?: number;
  resourceGroupsPerSubscription?: number;
}

const SIZES = [
  'Standard_NC24ads_A100_v4',
  'Standard_NC48ads_A100_v4',
  'Standard_ND96asr_v4',
  'Standard_NC4as_T4_v3',
  'Standard_NC40ads_H100_v5',
  'Standard_D4s_v5',
];
const LOCATIONS = ['eastus', 'westus2', 'southcentralus', 'westeurope'];
const POWER_STATES: SpecPowerState[] = ['running', 'running', 'deallocated', 'stopped'];

function loopbackAddress(index: number): string {
  const n = index + 1;
  return `127.${16 + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export function generateLargeCloud(options: LargeCloudOptions = {}): CloudSpec {
  const subscriptionCount = options.subscriptions ?? 20;
  const vmsPerSubscription = options.vmsPerSubscription ?? 50;
  const groupsPerSubscription = options.resourceGroupsPerSubscription ?? 5;
  const base = loadCloudSpec();
  const tenantId = base.servicePrincipal.tenantId;

  let vmIndex = 0;
  const subscriptions: SubscriptionSpec[] = [];
  for (let s = 0; s < subscriptionCount; s++) {
    const resourceGroups: ResourceGroupSpec[] = [];
    for (let g = 0; g < groupsPerSubscription; g++) {
      resourceGroups.push({ name: `rg-bench-${g}`, location: LOCATIONS[(s + g) % LOCATIONS.length], vms: [] });
    }
    for (let v = 0; v < vmsPerSubscription; v++) {
      const vm: VmSpec = {
        name: `vm-${s}-${v}`,
        size: SIZES[vmIndex % SIZES.length],
        powerState: POWER_STATES[vmIndex % POWER_STATES.length],
        publicIpAddress: loopbackAddress(vmIndex),
      };
      resourceGroups[v % groupsPerSubscription].vms.push(vm);
      vmIndex++;
    }
    subscriptions.push({
      subscriptionId: stableUuid(`bench-subscription-${s}`),
      displayName: `Bench subscription ${s}`,
      tenantId,
      resourceGroups,
    });
  }
  return { ...base, subscriptions };
}
