/** Azure resource ids, spelled the way Resource Manager returns them. */

export function subscriptionId(subscription: string): string {
  return `/subscriptions/${subscription}`;
}

export function resourceGroupId(subscription: string, group: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${group}`;
}

export function providerResourceId(subscription: string, group: string, type: string, name: string): string {
  return `${resourceGroupId(subscription, group)}/providers/${type}/${name}`;
}

export const VM_TYPE = 'Microsoft.Compute/virtualMachines';
export const NIC_TYPE = 'Microsoft.Network/networkInterfaces';
export const PUBLIC_IP_TYPE = 'Microsoft.Network/publicIPAddresses';
export const VNET_TYPE = 'Microsoft.Network/virtualNetworks';
