import * as vscode from 'vscode';
import { stringField } from '../../common/fields';
import { vmMachine } from '../../common/machine';
import { UserCancelledError } from '../../common/errors';
import { readWatchdogDecisions } from '../../costGuard/watchdogHost';
import type { CommandServices } from '../services';
import { decisionsText } from './decisionsText';

/** Show Auto-Deallocate Log: the watchdog's decisions on the VM, in an editor. */
export async function showAutoDeallocateLog(services: CommandServices, arg: unknown): Promise<void> {
  const vm = await vmOf(services, arg);
  if (vm.status.powerState !== 'running') {
    throw new Error(`${vm.name} is not running: its log is on its disk, readable once it runs again (Start VM).`);
  }
  const decisions = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Reading the auto-deallocate log of ${vm.name}`, cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort(new UserCancelledError()));
      return readWatchdogDecisions(await services.connector.connect(vmMachine(vm), controller.signal), controller.signal);
    },
  );
  const document = await vscode.workspace.openTextDocument({ language: 'log', content: decisionsText(vm.name, decisions) });
  await vscode.window.showTextDocument(document, { preview: true });
}

async function vmOf(services: CommandServices, arg: unknown) {
  const id = stringField(arg, 'kind') === 'vm' ? stringField(arg, 'vmId') : undefined;
  if (id) {
    const vm = services.clustersService.findVm(id);
    if (!vm) throw new Error('The VM is no longer listed: refresh the Clusters view.');
    return vm;
  }
  const vms = services.clustersService.visibleVms();
  const picked = await vscode.window.showQuickPick(
    vms.map((vm) => ({ label: vm.name, description: vm.location, vm })),
    { title: 'Show Auto-Deallocate Log' },
  );
  if (!picked) throw new UserCancelledError();
  return picked.vm;
}
