import * as vscode from 'vscode';
import type { AzureVm } from '../../azure/virtualMachine';
import type { OwnedResource } from '../../azure/gpuVmLifecycle';
import { UserCancelledError } from '../../common/errors';
import { stringField } from '../../common/fields';
import { removeProvisionedHostKey } from '../../ssh/provisionedHostKeys';
import { azureLayer } from '../azureLayer';
import { confirm, showInformation } from '../messages';
import type { CommandServices } from '../services';
import { knownHostsFileOf } from './createGpuVm';

async function vmOf(services: CommandServices, arg: unknown): Promise<AzureVm> {
  const service = services.clustersService;
  const vmId = stringField(arg, 'kind') === 'vm' ? stringField(arg, 'vmId') : undefined;
  if (vmId) {
    const vm = await service.findVmWhenListed(vmId);
    if (!vm) throw new Error('That VM is no longer listed; refresh the Clusters view.');
    return vm;
  }
  if (service.connection.status !== 'signedIn') throw new Error('Sign in to Azure first (Azure PyTorch: Sign In to Azure).');
  const vms = service.visibleVms();
  if (vms.length === 0) throw new Error('The Clusters view lists no VM to delete.');
  const picked = await vscode.window.showQuickPick(
    vms.map((vm) => ({ label: vm.name, description: `${vm.resourceGroup} · ${vm.size}`, vm })),
    { placeHolder: 'Delete which VM?' },
  );
  if (!picked) throw new UserCancelledError();
  return picked.vm;
}

/** "VM gpu-1, OS disk gpu-1_OsDisk_1, network interface gpu-1-nic, …" as lines for the dialog. */
export function describeOwned(owned: readonly OwnedResource[]): string {
  return owned.map((resource) => `• ${resource.kind} ${resource.name}`).join('\n');
}

export async function deleteVmCommand(services: CommandServices, arg?: unknown): Promise<void> {
  const vm = await vmOf(services, arg);
  const connection = services.clustersService.connection;
  const clients = connection.status === 'signedIn' ? connection.inventory.clients : undefined;
  if (!clients) throw new Error('Sign in to Azure first (Azure PyTorch: Sign In to Azure).');
  const layer = azureLayer();
  const owned = await layer.findOwnedResources(clients, vm.id);
  const kept = owned.length <= 2 ? '\n\nIts network resources are not tagged as made by this extension for this VM: they stay.' : '';
  await confirm(
    `Delete ${vm.name} and what was made with it?`,
    `This deletes, for good:\n${describeOwned(owned)}${kept}\n\nKeeping a stopped (deallocated) VM costs only its disk and public IP; deleting ends those charges too. Files on the VM are lost.`,
    'Delete',
  );
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deleting ${vm.name}` }, async (progress) => {
    try {
      await layer.deleteOwnedResources(clients, owned, { onStep: (step) => progress.report({ message: step }) });
    } finally {
      void services.clustersService.refresh();
    }
  });
  await removeProvisionedHostKey(knownHostsFileOf(services.context), vm.id);
  void showInformation(`Deleted ${vm.name}: ${owned.map((o) => o.kind).join(', ')}.`);
}
