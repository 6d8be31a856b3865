import * as vscode from 'vscode';
import type { AzureVm } from '../../azure/virtualMachine';
import { hostProblem, VmHosts } from '../../azure/vmAddress';
import { settings } from '../settings';

/**
 * The hosts to reach Azure VMs at, per azurePytorch.ssh.usePrivateIp; where Azure would not tell a
 * VM's address, the user is asked for it once in the session.
 */
export class VmAddresses {
  private readonly hosts = new VmHosts(askVmAddress);

  /** The host without asking; throws VmAddressUnknownError where only the user can tell it. */
  known(vm: AzureVm): string {
    return this.hosts.known(vm, settings.usePrivateIp());
  }

  /** known(), else asks the user. Throws UserCancelledError when the question is dismissed. */
  resolve(vm: AzureVm): Promise<string> {
    return this.hosts.resolve(vm, settings.usePrivateIp());
  }
}

function askVmAddress(vm: AzureVm, reason: string): Promise<string | undefined> {
  return Promise.resolve(
    vscode.window.showInputBox({
      title: `Azure PyTorch: Address of ${vm.name}`,
      prompt: `${reason} Enter the IP address or host name to reach it at.`,
      placeHolder: 'e.g. 20.81.4.17 or gpu-box.eastus.cloudapp.azure.com',
      value: '',
      ignoreFocusOut: true,
      validateInput: hostProblem,
    }),
  );
}
