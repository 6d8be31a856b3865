/**
 * Network layouts the cloud spec does not describe, answered as Azure gives them (through 'respond'
 * faults on the subscription's lists, so clearing the faults undoes them):
 *
 * - dual stack: the VM's NIC gets a secondary IP configuration with a public IPv6 address (Azure
 *   puts IPv6 on a secondary configuration only), optionally without its public IPv4 address;
 * - two NICs: the VM gets a second NIC, listed first in its model and not primary; neither NIC's body
 *   says `primary`, so only the VM model's `networkInterfaces[].properties.primary` tells.
 */
import type { FaultInjector } from './faults';
import { NIC_TYPE, PUBLIC_IP_TYPE, providerResourceId } from './resource-ids';
import { networkInterfaceBody, networkInterfaceBodyWith, publicIpAddressBody, publicIpAddressBodyOf, virtualMachineBody } from './shapes';
import type { ArmState, NetworkInterface, PublicIpAddress, VirtualMachine } from './state';

export interface DualStackLayout {
  readonly vmName: string;
  /** The public IPv6 address, e.g. from 2001:db8::/32 (documentation addresses, never reached). */
  readonly publicIpv6: string;
  /** Leaves the IPv4 configuration without a public IP: IPv6 is then the only public address. */
  readonly withoutPublicIpv4?: boolean;
}

export interface TwoNicLayout {
  readonly vmName: string;
  /** The second NIC's private address and public IP (any address: it is listed, never reached). */
  readonly secondNic: { readonly privateIp: string; readonly publicIp: string };
}

/** The subscription's NIC and public IP lists answer with the VM's NIC dual-stacked. */
export function answerDualStack(state: ArmState, faults: FaultInjector, layout: DualStackLayout): void {
  const vm = state.vmNamed(layout.vmName);
  const configuration = 'ipconfig-v6';
  const v6 = staticPublicIp(vm, `${vm.name}-ipv6`, layout.publicIpv6, `${vm.nic.id}/ipConfigurations/${configuration}`);
  const nic = networkInterfaceBodyWith(vm.nic, {
    withoutPublicIp: layout.withoutPublicIpv4,
    secondaryIpConfigurations: [{ name: configuration, privateIpAddress: 'fd00:db8:deca::4', version: 'IPv6', publicIpId: v6.id }],
  });
  const publicIps = state
    .publicIpsOf(vm.subscriptionId)
    .filter((ip) => !(layout.withoutPublicIpv4 && ip === vm.nic.publicIp))
    .map((ip) => publicIpAddressBody(ip));
  answerList(faults, vm, 'Microsoft\\.Network/networkInterfaces', nicBodies(state, vm, [nic]));
  answerList(faults, vm, 'Microsoft\\.Network/publicIPAddresses', [...publicIps, publicIpAddressBodyOf(v6, 'IPv6')]);
}

/** The subscription's VM, NIC and public IP lists answer with the VM on two NICs, the second of them its primary. */
export function answerTwoNics(state: ArmState, faults: FaultInjector, layout: TwoNicLayout): void {
  const vm = state.vmNamed(layout.vmName);
  const name = `${vm.name}-nic2`;
  const id = providerResourceId(vm.subscriptionId, vm.resourceGroup, NIC_TYPE, name);
  const second: NetworkInterface = {
    ...vm.nic,
    id,
    name,
    privateIpAddress: layout.secondNic.privateIp,
    publicIp: staticPublicIp(vm, `${name}-ip`, layout.secondNic.publicIp, `${id}/ipConfigurations/ipconfig1`),
  };
  const nics = [
    { id, primary: false },
    { id: vm.nic.id, primary: true },
  ];
  const models = state.vmsOf(vm.subscriptionId).map((each) => virtualMachineBody(each, false, each === vm ? nics : undefined));
  answerList(faults, vm, 'Microsoft\\.Compute/virtualMachines', models, '(?!.*statusOnly=true)');
  answerList(
    faults,
    vm,
    'Microsoft\\.Network/networkInterfaces',
    nicBodies(state, vm, [
      networkInterfaceBodyWith(vm.nic, { withoutPrimary: true }),
      networkInterfaceBodyWith(second, { withoutPrimary: true }),
    ]),
  );
  answerList(faults, vm, 'Microsoft\\.Network/publicIPAddresses', [
    ...state.publicIpsOf(vm.subscriptionId).map((ip) => publicIpAddressBody(ip)),
    ...(second.publicIp ? [publicIpAddressBody(second.publicIp)] : []),
  ]);
}

/** The subscription's NICs, the VM's replaced by `replacements`. */
function nicBodies(state: ArmState, vm: VirtualMachine, replacements: readonly object[]): object[] {
  return state.nicsOf(vm.subscriptionId).flatMap((nic) => (nic === vm.nic ? replacements : [networkInterfaceBody(nic)]));
}

/** One page holding `items` for the VM's subscription-wide list of `type` (a regex source). */
function answerList(faults: FaultInjector, vm: VirtualMachine, type: string, items: readonly object[], queryCondition = ''): void {
  faults.add({
    kind: 'respond',
    method: 'GET',
    path: `^/subscriptions/${vm.subscriptionId}/providers/${type}\\?${queryCondition}`,
    body: { value: items },
  });
}

function staticPublicIp(vm: VirtualMachine, name: string, ipAddress: string, ipConfigurationId: string): PublicIpAddress {
  const id = providerResourceId(vm.subscriptionId, vm.resourceGroup, PUBLIC_IP_TYPE, name);
  return { id, name, location: vm.location, allocation: 'Static', ipAddress, ipConfigurationId };
}
