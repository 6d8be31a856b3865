/**
 * The stand-in's in-memory cloud: tenants, subscriptions, resource groups, VMs with their NIC and
 * public IP, and SKUs, built from a CloudSpec. Lookups ignore case, as Resource Manager does.
 */
import { CapacityControls } from './capacity';
import type { CloudSpec, SpecPowerState, TenantSpec } from './cloud-spec';
import { NIC_TYPE, PUBLIC_IP_TYPE, VM_TYPE, VNET_TYPE, providerResourceId, resourceGroupId } from './resource-ids';
import { stableUuid } from './stable-uuid';
import { type VmSize, vmSize } from './vm-sizes';

export type PowerState = 'starting' | 'running' | 'stopping' | 'stopped' | 'deallocating' | 'deallocated';

export interface Subscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly tenantId: string;
  readonly state: string;
}

export interface ResourceGroup {
  readonly id: string;
  readonly subscriptionId: string;
  readonly name: string;
  readonly location: string;
  readonly tags: Record<string, string>;
}

export interface PublicIpAddress {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly allocation: 'Static' | 'Dynamic';
  readonly ipAddress?: string;
  readonly ipConfigurationId: string;
}

export interface NetworkInterface {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly privateIpAddress: string;
  readonly macAddress: string;
  readonly subnetId: string;
  readonly virtualMachineId: string;
  readonly publicIp?: PublicIpAddress;
}

export interface ProvisioningStatus {
  state: 'Succeeded' | 'Updating' | 'Failed' | 'Creating' | 'Deleting';
  error?: { code: string; message: string };
}

export interface VirtualMachine {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly size: VmSize;
  /** The VM's unique id (properties.vmId). */
  readonly vmId: string;
  readonly zone?: string;
  readonly tags: Record<string, string>;
  readonly timeCreated: string;
  readonly nic: NetworkInterface;
  /** Whether the sandbox runs a simulated host on the VM's public IP. */
  readonly simulatedHost: boolean;
  powerState: PowerState;
  provisioning: ProvisioningStatus;
  /** The long-running operation in flight on this VM, if any. */
  pendingOperation?: string;
  /** The Flexible scale set the VM belongs to (its `virtualMachineScaleSet.id`), if any. */
  readonly scaleSetId?: string;
}

const SPEC_POWER: Record<SpecPowerState, PowerState> = { running: 'running', stopped: 'stopped', deallocated: 'deallocated' };

function key(...parts: string[]): string {
  return parts.join('/').toLowerCase();
}

function macAddress(seed: string): string {
  const hex = stableUuid(seed).replace(/-/g, '').slice(0, 6).toUpperCase();
  return `00-0D-3A-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}`;
}

export class ArmState {
  readonly tenants: readonly TenantSpec[];
  readonly subscriptions: readonly Subscription[];
  /** Location → sizes offered there. */
  readonly skus: ReadonlyMap<string, readonly VmSize[]>;
  private readonly subscriptionsById = new Map<string, Subscription>();
  private readonly groups = new Map<string, ResourceGroup>();
  private readonly groupsBySubscription = new Map<string, ResourceGroup[]>();
  private readonly vmsByKey = new Map<string, VirtualMachine>();
  private readonly vmsBySubscription = new Map<string, VirtualMachine[]>();
  private readonly nics = new Map<string, NetworkInterface>();
  private readonly publicIps = new Map<string, PublicIpAddress>();
  /** Quotas, SKU restrictions and what VM creation adds (capacity.ts). */
  readonly capacity = new CapacityControls();

  constructor(readonly spec: CloudSpec) {
    this.tenants = spec.tenants;
    this.skus = new Map(Object.entries(spec.skus).map(([location, sizes]) => [location.toLowerCase(), sizes.map(vmSize)]));
    const subscriptions: Subscription[] = [];
    for (const sub of spec.subscriptions) {
      const subscription: Subscription = {
        subscriptionId: sub.subscriptionId,
        displayName: sub.displayName,
        tenantId: sub.tenantId,
        state: sub.state ?? 'Enabled',
      };
      subscriptions.push(subscription);
      this.subscriptionsById.set(key(sub.subscriptionId), subscription);
      this.groupsBySubscription.set(key(sub.subscriptionId), []);
      this.vmsBySubscription.set(key(sub.subscriptionId), []);
      sub.resourceGroups.forEach((rg, groupIndex) => {
        const group: ResourceGroup = {
          id: resourceGroupId(sub.subscriptionId, rg.name),
          subscriptionId: sub.subscriptionId,
          name: rg.name,
          location: rg.location,
          tags: rg.tags ?? {},
        };
        this.groups.set(key(sub.subscriptionId, rg.name), group);
        this.groupsBySubscription.get(key(sub.subscriptionId))!.push(group);
        const vnetId = providerResourceId(sub.subscriptionId, rg.name, VNET_TYPE, `${rg.name}-vnet`);
        rg.vms.forEach((vm, vmIndex) => {
          const id = providerResourceId(sub.subscriptionId, rg.name, VM_TYPE, vm.name);
          const location = vm.location ?? rg.location;
          const nicId = providerResourceId(sub.subscriptionId, rg.name, NIC_TYPE, `${vm.name}-nic`);
          const ipConfigurationId = `${nicId}/ipConfigurations/ipconfig1`;
          let publicIp: PublicIpAddress | undefined;
          if (vm.publicIpAddress !== undefined || vm.dynamicPublicIp) {
            const ipName = `${vm.name}-ip`;
            publicIp = {
              id: providerResourceId(sub.subscriptionId, rg.name, PUBLIC_IP_TYPE, ipName),
              name: ipName,
              location,
              allocation: vm.publicIpAddress !== undefined ? 'Static' : 'Dynamic',
              ipAddress: vm.publicIpAddress,
              ipConfigurationId,
            };
            this.publicIps.set(key(sub.subscriptionId, rg.name, ipName), publicIp);
          }
          const nic: NetworkInterface = {
            id: nicId,
            name: `${vm.name}-nic`,
            location,
            privateIpAddress: `10.${groupIndex % 256}.${Math.floor(vmIndex / 250) % 256}.${4 + (vmIndex % 250)}`,
            macAddress: macAddress(nicId),
            subnetId: `${vnetId}/subnets/default`,
            virtualMachineId: id,
            publicIp,
          };
          this.nics.set(key(sub.subscriptionId, rg.name, nic.name), nic);
          const machine: VirtualMachine = {
            id,
            name: vm.name,
            subscriptionId: sub.subscriptionId,
            resourceGroup: rg.name,
            location,
            size: vmSize(vm.size),
            vmId: stableUuid(id),
            zone: vm.zone,
            tags: vm.tags ?? {},
            timeCreated: '2026-01-15T09:30:00.0000000+00:00',
            nic,
            simulatedHost: vm.simulatedHost ?? false,
            powerState: SPEC_POWER[vm.powerState ?? 'running'],
            provisioning: { state: 'Succeeded' },
          };
          this.vmsByKey.set(key(sub.subscriptionId, rg.name, vm.name), machine);
          this.vmsBySubscription.get(key(sub.subscriptionId))!.push(machine);
        });
      });
    }
    this.subscriptions = subscriptions;
  }

  get vms(): VirtualMachine[] {
    return [...this.vmsByKey.values()];
  }

  findTenant(tenantId: string): TenantSpec | undefined {
    return this.tenants.find((t) => t.tenantId.toLowerCase() === tenantId.toLowerCase());
  }

  findSubscription(subscription: string): Subscription | undefined {
    return this.subscriptionsById.get(key(subscription));
  }

  resourceGroupsOf(subscription: string): ResourceGroup[] {
    return this.groupsBySubscription.get(key(subscription)) ?? [];
  }

  findResourceGroup(subscription: string, group: string): ResourceGroup | undefined {
    return this.groups.get(key(subscription, group));
  }

  vmsOf(subscription: string, group?: string): VirtualMachine[] {
    const all = this.vmsBySubscription.get(key(subscription)) ?? [];
    return group === undefined ? all : all.filter((vm) => vm.resourceGroup.toLowerCase() === group.toLowerCase());
  }

  findVm(subscription: string, group: string, name: string): VirtualMachine | undefined {
    return this.vmsByKey.get(key(subscription, group, name));
  }

  /** The VM with this name in any subscription; throws when absent or ambiguous. */
  vmNamed(name: string): VirtualMachine {
    const matches = this.vms.filter((vm) => vm.name.toLowerCase() === name.toLowerCase());
    if (matches.length !== 1) {
      throw new Error(`${matches.length} VMs are named '${name}'`);
    }
    return matches[0];
  }

  nicsOf(subscription: string, group?: string): NetworkInterface[] {
    return this.vmsOf(subscription, group).map((vm) => vm.nic);
  }

  findNic(subscription: string, group: string, name: string): NetworkInterface | undefined {
    return this.nics.get(key(subscription, group, name));
  }

  publicIpsOf(subscription: string, group?: string): PublicIpAddress[] {
    return this.nicsOf(subscription, group).flatMap((nic) => (nic.publicIp ? [nic.publicIp] : []));
  }

  findPublicIp(subscription: string, group: string, name: string): PublicIpAddress | undefined {
    return this.publicIps.get(key(subscription, group, name));
  }

  /** A resource group created through the API. */
  addResourceGroup(group: ResourceGroup): void {
    this.groups.set(key(group.subscriptionId, group.name), group);
    this.groupsBySubscription.get(key(group.subscriptionId))?.push(group);
  }

  removeResourceGroup(group: ResourceGroup): void {
    this.groups.delete(key(group.subscriptionId, group.name));
    const list = this.groupsBySubscription.get(key(group.subscriptionId));
    list?.splice(list.indexOf(group), 1);
  }

  /** A VM created through the API, with its NIC and public IP. */
  addVm(vm: VirtualMachine): void {
    this.vmsByKey.set(key(vm.subscriptionId, vm.resourceGroup, vm.name), vm);
    this.vmsBySubscription.get(key(vm.subscriptionId))?.push(vm);
    this.nics.set(key(vm.subscriptionId, vm.resourceGroup, vm.nic.name), vm.nic);
    if (vm.nic.publicIp) {
      this.publicIps.set(key(vm.subscriptionId, vm.resourceGroup, vm.nic.publicIp.name), vm.nic.publicIp);
    }
  }

  removeVm(vm: VirtualMachine): void {
    this.vmsByKey.delete(key(vm.subscriptionId, vm.resourceGroup, vm.name));
    const list = this.vmsBySubscription.get(key(vm.subscriptionId));
    list?.splice(list.indexOf(vm), 1);
    this.nics.delete(key(vm.subscriptionId, vm.resourceGroup, vm.nic.name));
    if (vm.nic.publicIp) {
      this.publicIps.delete(key(vm.subscriptionId, vm.resourceGroup, vm.nic.publicIp.name));
    }
  }

  /** A plain summary for the admin path and for logs. */
  summary(): object {
    return {
      tenants: this.tenants.map((t) => ({ tenantId: t.tenantId, displayName: t.displayName })),
      subscriptions: this.subscriptions.map((s) => ({ ...s, vmCount: this.vmsOf(s.subscriptionId).length })),
      vms: this.vms.map((vm) => ({
        id: vm.id,
        name: vm.name,
        size: vm.size.name,
        powerState: vm.powerState,
        provisioningState: vm.provisioning.state,
        publicIpAddress: vm.nic.publicIp?.ipAddress ?? null,
        simulatedHost: vm.simulatedHost,
        pendingOperation: vm.pendingOperation ?? null,
      })),
    };
  }
}
