/**
 * What "Create GPU VM" makes, as Resource Manager bodies: an NSG allowing SSH from one address range,
 * a VNet with one subnet, a static public IP, a NIC, and the VM (Linux, key-only SSH, Gen2 image,
 * spot with Deallocate eviction when asked). Every resource carries the owner tag naming the VM, so
 * Delete knows what it owns. The VM's SSH host key can be given through cloud-init custom data, so
 * that its public half is known before the first connection.
 */
import type { VirtualMachine } from '@azure/arm-compute';

/** The tag every created resource carries; its value is the VM's name. */
export const OWNER_TAG = 'azure-pytorch-vm';
/** On a resource group made for the VM: Delete may remove the group when it holds nothing else. */
export const CREATED_GROUP_TAG = 'azure-pytorch-created-group';

export interface ImageReference {
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  readonly version: string;
}

export interface ImageChoice {
  readonly label: string;
  readonly description: string;
  readonly reference: ImageReference;
}

/** GPU-ready Linux images with NVIDIA drivers, CUDA and a PyTorch-capable Python. */
export const GPU_IMAGES: readonly ImageChoice[] = [
  {
    label: 'Ubuntu HPC 22.04',
    description: 'microsoft-dsvm:ubuntu-hpc:2204 — NVIDIA drivers, CUDA, InfiniBand',
    reference: { publisher: 'microsoft-dsvm', offer: 'ubuntu-hpc', sku: '2204', version: 'latest' },
  },
  {
    label: 'Data Science VM Ubuntu 22.04',
    description: 'microsoft-dsvm:ubuntu-2204:2204-gen2 — NVIDIA drivers, CUDA, conda with PyTorch',
    reference: { publisher: 'microsoft-dsvm', offer: 'ubuntu-2204', sku: '2204-gen2', version: 'latest' },
  },
];

/** "publisher:offer:sku:version" (Azure CLI's URN) → an image reference, or undefined when malformed. */
export function parseImageUrn(urn: string): ImageReference | undefined {
  const parts = urn.trim().split(':');
  if (parts.length !== 4 || parts.some((p) => !/^[A-Za-z0-9._-]+$/.test(p))) return undefined;
  return { publisher: parts[0], offer: parts[1], sku: parts[2], version: parts[3] };
}

export const DEFAULT_OS_DISK_GB = 256;
export const ADMIN_USER = 'azureuser';

export interface GpuVmRequest {
  readonly subscriptionId: string;
  readonly location: string;
  readonly resourceGroup: string;
  /** Whether the resource group is made for this VM (then tagged, and deleted with it when empty). */
  readonly newResourceGroup: boolean;
  readonly name: string;
  readonly size: string;
  readonly zone?: string;
  readonly spot: boolean;
  readonly image: ImageReference;
  readonly osDiskGB: number;
  /** The user's public key, one OpenSSH line. */
  readonly sshPublicKey: string;
  /** Where SSH may come from: a CIDR range or '*'. */
  readonly sshSource: string;
  /** The image's Marketplace plan, when it is sold with one (marketplaceTerms.ts). */
  readonly plan?: { readonly name: string; readonly publisher: string; readonly product: string };
  /** The VM's host key, made on the client; its private half goes to the VM through cloud-init. */
  readonly hostKey?: { readonly privateKey: string; readonly publicKey: string };
}

export interface PlannedResource {
  readonly id: string;
  readonly kind: 'NSG' | 'virtual network' | 'public IP' | 'network interface';
  readonly body: object;
}

export interface GpuVmPlan {
  readonly request: GpuVmRequest;
  readonly tags: Readonly<Record<string, string>>;
  readonly resourceGroupId: string;
  readonly nsg: PlannedResource;
  readonly vnet: PlannedResource;
  readonly publicIp: PlannedResource;
  readonly nic: PlannedResource;
  readonly vmId: string;
  /** The body for `virtualMachines.createOrUpdate`. */
  readonly vm: VirtualMachine;
}

/** Azure's rule for Linux VM names: 1–64 letters, digits, '-' and '.', not ending in '.' or '-'. */
export function vmNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(name) || /[.-]$/.test(name)) {
    return 'Use 1–64 letters, digits, "-" or "." — starting with a letter or digit and not ending in "-" or ".".';
  }
  return undefined;
}

/** A CIDR range like 203.0.113.0/24, a single IPv4 address, or '*' (anywhere). */
export function sshSourceProblem(source: string): string | undefined {
  if (source === '*') return undefined;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(source);
  if (!match || match.slice(1, 5).some((o) => Number(o) > 255) || (match[5] !== undefined && Number(match[5]) > 32)) {
    return 'Enter an IPv4 address, a range like 203.0.113.0/24, or * for anywhere.';
  }
  return undefined;
}

/** cloud-init user data that installs the given host key and generates no other. */
export function hostKeyCloudConfig(hostKey: { privateKey: string; publicKey: string }): string {
  const indented = hostKey.privateKey
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  return [
    '#cloud-config',
    'ssh_deletekeys: true',
    'ssh_genkeytypes: []',
    'ssh_keys:',
    '  ed25519_private: |',
    indented,
    `  ed25519_public: ${hostKey.publicKey.trim()}`,
    '',
  ].join('\n');
}

/** The ids of what a create makes, all named after the VM. */
export interface GpuVmResourceIds {
  readonly resourceGroupId: string;
  readonly nsgId: string;
  readonly vnetId: string;
  readonly publicIpId: string;
  readonly nicId: string;
  readonly vmId: string;
}

export function gpuVmResourceIds(subscriptionId: string, resourceGroup: string, name: string): GpuVmResourceIds {
  const resourceGroupId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const network = (type: string, resource: string): string => `${resourceGroupId}/providers/Microsoft.Network/${type}/${resource}`;
  return {
    resourceGroupId,
    nsgId: network('networkSecurityGroups', `${name}-nsg`),
    vnetId: network('virtualNetworks', `${name}-vnet`),
    publicIpId: network('publicIPAddresses', `${name}-ip`),
    nicId: network('networkInterfaces', `${name}-nic`),
    vmId: `${resourceGroupId}/providers/Microsoft.Compute/virtualMachines/${name}`,
  };
}

export function planGpuVm(request: GpuVmRequest): GpuVmPlan {
  const { subscriptionId, location, name } = request;
  const tags = { [OWNER_TAG]: name };
  const { resourceGroupId, nsgId, vnetId, publicIpId, nicId, vmId } = gpuVmResourceIds(subscriptionId, request.resourceGroup, name);
  const subnetId = `${vnetId}/subnets/default`;
  const zones = request.zone ? { zones: [request.zone] } : {};
  const nsg: PlannedResource = {
    id: nsgId,
    kind: 'NSG',
    body: {
      location,
      tags,
      properties: {
        securityRules: [
          {
            name: 'SSH',
            properties: {
              priority: 1000,
              direction: 'Inbound',
              access: 'Allow',
              protocol: 'Tcp',
              sourceAddressPrefix: request.sshSource,
              sourcePortRange: '*',
              destinationAddressPrefix: '*',
              destinationPortRange: '22',
            },
          },
        ],
      },
    },
  };
  const vnet: PlannedResource = {
    id: vnetId,
    kind: 'virtual network',
    body: {
      location,
      tags,
      properties: {
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [{ name: 'default', properties: { addressPrefix: '10.0.0.0/24' } }],
      },
    },
  };
  const publicIp: PlannedResource = {
    id: publicIpId,
    kind: 'public IP',
    body: {
      location,
      tags,
      ...zones,
      sku: { name: 'Standard', tier: 'Regional' },
      properties: { publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' },
    },
  };
  const nic: PlannedResource = {
    id: nicId,
    kind: 'network interface',
    body: {
      location,
      tags,
      properties: {
        networkSecurityGroup: { id: nsgId },
        ipConfigurations: [
          {
            name: 'ipconfig1',
            properties: { subnet: { id: subnetId }, publicIPAddress: { id: publicIpId }, privateIPAllocationMethod: 'Dynamic' },
          },
        ],
      },
    },
  };
  const vm: VirtualMachine = {
    location,
    tags,
    ...zones,
    hardwareProfile: { vmSize: request.size },
    storageProfile: {
      imageReference: { ...request.image },
      osDisk: {
        createOption: 'FromImage',
        diskSizeGB: request.osDiskGB,
        managedDisk: { storageAccountType: 'Premium_LRS' },
        deleteOption: 'Delete',
      },
    },
    osProfile: {
      computerName: name.slice(0, 64),
      adminUsername: ADMIN_USER,
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [{ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData: request.sshPublicKey.trim() }] },
      },
      ...(request.hostKey ? { customData: Buffer.from(hostKeyCloudConfig(request.hostKey), 'utf8').toString('base64') } : {}),
    },
    networkProfile: { networkInterfaces: [{ id: nicId, primary: true }] },
    diagnosticsProfile: { bootDiagnostics: { enabled: true } },
    ...(request.spot ? { priority: 'Spot', evictionPolicy: 'Deallocate', billingProfile: { maxPrice: -1 } } : {}),
    ...(request.plan ? { plan: { ...request.plan } } : {}),
  };
  return {
    request,
    tags,
    resourceGroupId,
    nsg,
    vnet,
    publicIp,
    nic,
    vmId,
    vm,
  };
}
