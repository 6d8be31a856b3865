import * as vscode from 'vscode';
import { vmFromArgument } from '../vmPicker';
import type { CommandServices } from '../../services';

/** Copy IP Address: the VM's public IP, or its private one (per azurePytorch.ssh.usePrivateIp, or when it has no public IP). */
export async function copyIp(services: CommandServices, arg?: unknown): Promise<void> {
  const vm = await vmFromArgument(services.clustersService, arg, (v) => !!(v.publicIp || v.privateIp), 'Copy the IP address of which VM?');
  if (!vm) return;
  const preferPrivate = vscode.workspace.getConfiguration('azurePytorch').get<boolean>('ssh.usePrivateIp', false);
  const address = preferPrivate ? (vm.privateIp ?? vm.publicIp) : (vm.publicIp ?? vm.privateIp);
  if (!address) {
    const why = vm.status.powerState === 'deallocated' ? ' while it is deallocated; start it first' : '';
    void vscode.window.showWarningMessage(`Azure PyTorch: ${vm.name} has no IP address${why}.`);
    return;
  }
  await vscode.env.clipboard.writeText(address);
  vscode.window.setStatusBarMessage(`$(clippy) Copied ${address} (${vm.name})`, 4000);
}
