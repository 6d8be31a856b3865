import { isIP } from 'net';
import { UserCancelledError } from '../common/errors';
import type { AzureVm } from './virtualMachine';

/** Where to reach a VM over SSH, as far as Azure tells. */
export type VmSshAddress =
  | { readonly kind: 'known'; readonly host: string }
  /** Azure would not tell (the role may not read its network): only the user can. */
  | { readonly kind: 'unknown'; readonly reason: string }
  /** Azure says it has none. */
  | { readonly kind: 'none'; readonly reason: string };

/** The VM's public address, or its private one when `usePrivateIp` (azurePytorch.ssh.usePrivateIp). */
export function vmSshAddress(vm: AzureVm, usePrivateIp: boolean): VmSshAddress {
  const host = usePrivateIp ? vm.privateIp : vm.publicIp;
  if (host) return { kind: 'known', host };
  const which = usePrivateIp ? 'private' : 'public';
  const unread = vm.unreadAddresses === 'all' || (vm.unreadAddresses === 'public' && !usePrivateIp);
  if (unread) {
    const list = vm.unreadAddresses === 'all' ? 'network interfaces' : 'public IP addresses';
    return { kind: 'unknown', reason: `Azure did not tell the ${which} IP address of ${vm.name}: your role may not read ${list}.` };
  }
  return {
    kind: 'none',
    reason: usePrivateIp
      ? `VM ${vm.name} has no private IP address.`
      : `VM ${vm.name} has no public IP address (set azurePytorch.ssh.usePrivateIp to reach it over a VPN).`,
  };
}

/** What is wrong with `text` as a host to connect to (a DNS name, an IPv4 or IPv6 address); undefined when nothing. */
export function hostProblem(text: string): string | undefined {
  const host = text.trim();
  if (host === '') return 'Enter the IP address or host name of the VM.';
  if (isIP(host.replace(/^\[(.*)\]$/, '$1'))) return undefined;
  const labels = host.replace(/\.$/, '').split('.');
  const validLabel = (label: string): boolean => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label);
  if (host.length <= 253 && labels.every(validLabel) && !/^[\d.]+$/.test(host)) return undefined;
  return `"${host}" is neither an IP address nor a host name.`;
}

/** The host as entered: trimmed, an IPv6 address without its brackets. */
export function normalizedHost(text: string): string {
  return text.trim().replace(/^\[(.*)\]$/, '$1');
}

/** A VM's address that Azure would not tell, and that nobody has given yet. */
export class VmAddressUnknownError extends Error {}

/**
 * Asks the user for the address of a VM Azure would not tell (the reason given), validated with
 * hostProblem; undefined when dismissed.
 */
export type AskVmAddress = (vm: AzureVm, reason: string) => Promise<string | undefined>;

/**
 * The hosts to reach Azure VMs at: Azure's address, or, for a VM whose addresses the role may not
 * read, the one the user gave for it: asked once, remembered by VM id for as long as this lives.
 */
export class VmHosts {
  private readonly given = new Map<string, string>();

  constructor(private readonly ask: AskVmAddress) {}

  /** The host without asking anyone; throws VmAddressUnknownError when only the user can tell it. */
  known(vm: AzureVm, usePrivateIp: boolean): string {
    const address = vmSshAddress(vm, usePrivateIp);
    if (address.kind === 'known') return address.host;
    const given = this.given.get(vm.id.toLowerCase());
    if (given) return given;
    if (address.kind === 'unknown')
      throw new VmAddressUnknownError(`${address.reason} Open an SSH terminal on it from the Clusters view to enter its address.`);
    throw new Error(`${address.reason} Or give it a public IP address in the Azure portal.`);
  }

  /** known(), else the address the user gives. Throws UserCancelledError when the user does not. */
  async resolve(vm: AzureVm, usePrivateIp: boolean): Promise<string> {
    const address = vmSshAddress(vm, usePrivateIp);
    if (address.kind !== 'unknown' || this.given.has(vm.id.toLowerCase())) return this.known(vm, usePrivateIp);
    const entered = await this.ask(vm, address.reason);
    if (entered === undefined) throw new UserCancelledError(`No address was given for ${vm.name}.`);
    const problem = hostProblem(entered);
    if (problem) throw new Error(problem);
    const host = normalizedHost(entered);
    this.given.set(vm.id.toLowerCase(), host);
    return host;
  }
}
