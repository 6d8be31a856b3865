/** The JSON bodies Resource Manager returns for each resource kind. */
import type { TenantSpec } from './cloud-spec';
import type { NetworkInterface, PowerState, PublicIpAddress, ResourceGroup, Subscription, VirtualMachine } from './state';
import { NIC_TYPE, PUBLIC_IP_TYPE, VM_TYPE } from './resource-ids';
import { stableUuid } from './stable-uuid';
import type { VmSize } from './vm-sizes';

export function subscriptionBody(sub: Subscription): object {
  return {
    id: `/subscriptions/${sub.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: sub.tenantId,
    displayName: sub.displayName,
    state: sub.state,
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

export function tenantBody(tenant: TenantSpec): object {
  return {
    id: `/tenants/${tenant.tenantId}`,
    tenantId: tenant.tenantId,
    countryCode: 'US',
    displayName: tenant.displayName,
    domains: [tenant.defaultDomain],
    tenantCategory: 'Home',
    defaultDomain: tenant.defaultDomain,
    tenantType: 'AAD',
  };
}

export function resourceGroupBody(group: ResourceGroup): object {
  return {
    id: group.id,
    name: group.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: group.location,
    tags: group.tags,
    properties: { provisioningState: 'Succeeded' },
  };
}

const POWER_DISPLAY: Record<PowerState, string> = {
  starting: 'VM starting',
  running: 'VM running',
  stopping: 'VM stopping',
  stopped: 'VM stopped',
  deallocating: 'VM deallocating',
  deallocated: 'VM deallocated',
};

function statuses(vm: VirtualMachine): object[] {
  const provisioning = vm.provisioning.error
    ? {
        code: `ProvisioningState/failed/${vm.provisioning.error.code}`,
        level: 'Error',
        displayStatus: 'Provisioning failed',
        message: vm.provisioning.error.message,
        time: new Date().toISOString(),
      }
    : {
        code: `ProvisioningState/${vm.provisioning.state.toLowerCase()}`,
        level: 'Info',
        displayStatus: vm.provisioning.state === 'Updating' ? 'Updating' : 'Provisioning succeeded',
        time: new Date().toISOString(),
      };
  return [provisioning, { code: `PowerState/${vm.powerState}`, level: 'Info', displayStatus: POWER_DISPLAY[vm.powerState] }];
}

export function instanceViewBody(vm: VirtualMachine): object {
  const agentReady = vm.powerState === 'running';
  return {
    computerName: vm.name,
    osName: 'ubuntu',
    osVersion: '22.04',
    hyperVGeneration: 'V2',
    vmAgent: {
      vmAgentVersion: '2.13.1.1',
      statuses: [
        {
          code: agentReady ? 'ProvisioningState/succeeded' : 'ProvisioningState/Unavailable',
          level: agentReady ? 'Info' : 'Warning',
          displayStatus: agentReady ? 'Ready' : 'Not Ready',
          message: agentReady ? 'Guest Agent is running' : 'VM status blob is found but not yet populated.',
        },
      ],
    },
    disks: [
      {
        name: `${vm.name}_OsDisk_1`,
        statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded' }],
      },
    ],
    statuses: statuses(vm),
  };
}

function vmEnvelope(vm: VirtualMachine): { id: string; name: string; type: string; location: string } {
  return { id: vm.id, name: vm.name, type: VM_TYPE, location: vm.location };
}

/** A NIC as a VM model names it. */
export interface NicReference {
  readonly id: string;
  readonly primary: boolean;
}

/** `nics`: the VM's NICs when it has more than its own one (network-layouts.ts). */
export function virtualMachineBody(vm: VirtualMachine, withInstanceView: boolean, nics?: readonly NicReference[]): object {
  const osDiskName = `${vm.name}_OsDisk_1`;
  const properties: Record<string, unknown> = {
    vmId: vm.vmId,
    hardwareProfile: { vmSize: vm.size.name },
    storageProfile: {
      imageReference: {
        publisher: 'microsoft-dsvm',
        offer: 'ubuntu-hpc',
        sku: '2204',
        version: 'latest',
        exactVersion: '22.04.2025010101',
      },
      osDisk: {
        osType: 'Linux',
        name: osDiskName,
        createOption: 'FromImage',
        caching: 'ReadWrite',
        managedDisk: {
          storageAccountType: 'Premium_LRS',
          id: `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}/providers/Microsoft.Compute/disks/${osDiskName}`,
        },
        deleteOption: 'Delete',
        diskSizeGB: 128,
      },
      dataDisks: [],
    },
    osProfile: {
      computerName: vm.name,
      adminUsername: 'azureuser',
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [] },
        provisionVMAgent: true,
      },
      secrets: [],
      allowExtensionOperations: true,
    },
    networkProfile: {
      networkInterfaces: (nics ?? [{ id: vm.nic.id, primary: true }]).map((nic) => ({ id: nic.id, properties: { primary: nic.primary } })),
    },
    diagnosticsProfile: { bootDiagnostics: { enabled: true } },
    provisioningState: vm.provisioning.state,
    timeCreated: vm.timeCreated,
  };
  if (vm.scaleSetId) {
    properties.virtualMachineScaleSet = { id: vm.scaleSetId };
  }
  if (withInstanceView) {
    properties.instanceView = instanceViewBody(vm);
  }
  return { ...vmEnvelope(vm), tags: vm.tags, ...(vm.zone ? { zones: [vm.zone] } : {}), properties };
}

/** What `listAll?statusOnly=true` returns: the run-time status only, no model (tags, size…). */
export function virtualMachineStatusBody(vm: VirtualMachine): object {
  return { ...vmEnvelope(vm), properties: { vmId: vm.vmId, instanceView: { computerName: vm.name, statuses: statuses(vm) } } };
}

function etag(id: string): string {
  return `W/"${stableUuid(`etag:${id}`)}"`;
}

/** An IP configuration after a NIC's primary one, e.g. the IPv6 one of a dual-stack NIC (network-layouts.ts). */
export interface SecondaryIpConfiguration {
  readonly name: string;
  readonly privateIpAddress: string;
  readonly version: 'IPv4' | 'IPv6';
  readonly publicIpId?: string;
}

/** Ways a NIC's body may differ from the sandbox's plain one, as Azure's do (network-layouts.ts). */
export interface NicBodyOptions {
  readonly secondaryIpConfigurations?: readonly SecondaryIpConfiguration[];
  /** Leaves the primary IP configuration without the NIC's public IP. */
  readonly withoutPublicIp?: boolean;
  /** Leaves the NIC's `properties.primary` out. */
  readonly withoutPrimary?: boolean;
}

export function networkInterfaceBody(nic: NetworkInterface): object {
  return networkInterfaceBodyWith(nic, {});
}

/** A NIC's body, changed as `options` say. (Not an optional parameter of the above: lists map it with an index.) */
export function networkInterfaceBodyWith(nic: NetworkInterface, options: NicBodyOptions): object {
  const ipConfigurationProperties: Record<string, unknown> = {
    provisioningState: 'Succeeded',
    privateIPAddress: nic.privateIpAddress,
    privateIPAllocationMethod: 'Dynamic',
    privateIPAddressVersion: 'IPv4',
    subnet: { id: nic.subnetId },
    primary: true,
  };
  if (nic.publicIp && !options.withoutPublicIp) {
    ipConfigurationProperties.publicIPAddress = { id: nic.publicIp.id };
  }
  const secondaries = (options.secondaryIpConfigurations ?? []).map((config) => ({
    name: config.name,
    id: `${nic.id}/ipConfigurations/${config.name}`,
    etag: etag(nic.id),
    type: `${NIC_TYPE}/ipConfigurations`,
    properties: {
      provisioningState: 'Succeeded',
      privateIPAddress: config.privateIpAddress,
      privateIPAllocationMethod: 'Dynamic',
      privateIPAddressVersion: config.version,
      subnet: { id: nic.subnetId },
      primary: false,
      ...(config.publicIpId ? { publicIPAddress: { id: config.publicIpId } } : {}),
    },
  }));
  return {
    name: nic.name,
    id: nic.id,
    etag: etag(nic.id),
    type: NIC_TYPE,
    location: nic.location,
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: stableUuid(`guid:${nic.id}`),
      ipConfigurations: [
        {
          name: 'ipconfig1',
          id: `${nic.id}/ipConfigurations/ipconfig1`,
          etag: etag(nic.id),
          type: `${NIC_TYPE}/ipConfigurations`,
          properties: ipConfigurationProperties,
        },
        ...secondaries,
      ],
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      macAddress: nic.macAddress,
      enableAcceleratedNetworking: true,
      enableIPForwarding: false,
      ...(options.withoutPrimary ? {} : { primary: true }),
      virtualMachine: { id: nic.virtualMachineId },
      nicType: 'Standard',
    },
  };
}

export function publicIpAddressBody(ip: PublicIpAddress): object {
  return publicIpAddressBodyOf(ip, 'IPv4');
}

/** A public IP's body, of either IP version. */
export function publicIpAddressBodyOf(ip: PublicIpAddress, version: 'IPv4' | 'IPv6'): object {
  const properties: Record<string, unknown> = {
    provisioningState: 'Succeeded',
    resourceGuid: stableUuid(`guid:${ip.id}`),
    publicIPAddressVersion: version,
    publicIPAllocationMethod: ip.allocation,
    idleTimeoutInMinutes: 4,
    ipTags: [],
    ipConfiguration: { id: ip.ipConfigurationId },
  };
  if (ip.ipAddress !== undefined) {
    properties.ipAddress = ip.ipAddress;
  }
  return {
    name: ip.name,
    id: ip.id,
    etag: etag(ip.id),
    type: PUBLIC_IP_TYPE,
    location: ip.location,
    sku: ip.allocation === 'Static' ? { name: 'Standard', tier: 'Regional' } : { name: 'Basic', tier: 'Regional' },
    properties,
  };
}

function capability(name: string, value: string | number | boolean): { name: string; value: string } {
  return { name, value: typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value) };
}

/** A Compute SKU as `/providers/Microsoft.Compute/skus` lists it; only GPU sizes carry `GPUs`. */
export function skuBody(size: VmSize, location: string): object {
  const capabilities = [
    capability('MaxResourceVolumeMB', size.vCPUs * 16384),
    capability('OSVhdSizeMB', 1047552),
    capability('vCPUs', size.vCPUs),
    capability('MemoryPreservingMaintenanceSupported', size.gpus === 0),
    capability('HyperVGenerations', size.gpus === 0 ? 'V1,V2' : 'V2'),
    capability('MemoryGB', size.memoryGB),
    capability('MaxDataDiskCount', Math.min(64, size.vCPUs * 2)),
    capability('CpuArchitectureType', 'x64'),
    capability('LowPriorityCapable', true),
    capability('PremiumIO', true),
    capability('VMDeploymentTypes', 'IaaS'),
    capability('vCPUsAvailable', size.vCPUs),
    ...(size.gpus > 0 ? [capability('GPUs', size.gpus)] : []),
    capability('vCPUsPerCore', size.gpus === 0 ? 2 : 1),
    capability('EphemeralOSDiskSupported', true),
    capability('AcceleratedNetworkingEnabled', true),
    capability('RdmaEnabled', size.rdma ?? false),
    capability('MaxNetworkInterfaces', size.vCPUs >= 8 ? 8 : 2),
  ];
  return {
    resourceType: 'virtualMachines',
    name: size.name,
    tier: 'Standard',
    size: size.name.replace(/^Standard_/, ''),
    family: size.family,
    locations: [location],
    locationInfo: [{ location, zones: ['1', '2', '3'], zoneDetails: [] }],
    capabilities,
    restrictions: [],
  };
}
