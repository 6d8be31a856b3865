import * as vscode from 'vscode';
import { vmSshAddress } from '../../../azure/vmAddress';
import { vmFromArgument } from '../vmPicker';
import type { CommandServices } from '../../services';
import { settings } from '../../settings';

/**
 * Copy IP Address: the VM's public IP, or its private one (per azurePytorch.ssh.usePrivateIp, or when
 * it has no public IP). Where Azure would not tell the address (the role may not read the VM's
 * network), the one the user gives, asked once per VM for the session.
 */
export async function copyIp(services: CommandServices, arg?: unknown): Promise<void> {
  const vm = await vmFromArgument(
    services.clustersService,
    arg,
    (v) => !!(v.publicIp || v.privateIp || v.unreadAddresses),
    'Copy the IP address of which VM?',
  );
  const address =
    vmSshAddress(vm, settings.usePrivateIp()).kind === 'none'
      ? (vm.publicIp ?? vm.privateIp)
      : await services.connector.vmAddresses.resolve(vm);
  if (!address) {
    const why = vm.status.powerState === 'deallocated' ? ' while it is deallocated; start it first' : '';
    throw new Error(`${vm.name} has no IP address${why}.`);
  }
  await vscode.env.clipboard.writeText(address);
  vscode.window.setStatusBarMessage(`$(clippy) Copied ${address} (${vm.name})`, 4000);
}
