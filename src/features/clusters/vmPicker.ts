import * as vscode from 'vscode';
import type { AzureVm } from '../../azure/virtualMachine';
import { UserCancelledError } from '../../common/errors';
import { vmDescription } from './clustersPresentation';
import type { ClustersService } from './clustersService';
import { vmIdOf } from './nodeArguments';

/**
 * The VM a command is about: the view's node it was invoked on, or, from the palette, one the user
 * picks among those `eligible`. Throws UserCancelledError when the pick is dismissed.
 */
export async function vmFromArgument(
  service: ClustersService,
  arg: unknown,
  eligible: (vm: AzureVm) => boolean,
  placeHolder: string,
): Promise<AzureVm> {
  const vmId = vmIdOf(arg);
  if (vmId) {
    const vm = await service.findVmWhenListed(vmId);
    if (!vm) throw new Error('That VM is no longer listed; refresh the Clusters view.');
    return vm;
  }
  if (service.connection.status !== 'signedIn') throw new Error('Sign in to Azure first (Azure PyTorch: Sign In to Azure).');
  const candidates = service.visibleVms().filter(eligible);
  if (candidates.length === 0) throw new Error(`No VM in the Clusters view can be chosen for this (${placeHolder}).`);
  const picked = await vscode.window.showQuickPick(
    candidates.map((vm) => ({
      label: vm.name,
      description: vmDescription(vm, service.pendingAction(vm.id)),
      detail: `${vm.resourceGroup} · ${vm.size}`,
      vm,
    })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.vm;
}
