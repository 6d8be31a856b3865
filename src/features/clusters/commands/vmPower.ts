import * as vscode from 'vscode';
import type { AzureVm } from '../../../azure/virtualMachine';
import type { PowerAction } from '../../../azure/powerActions';
import { azureLayer } from '../../azureLayer';
import { pendingLabel } from '../clustersPresentation';
import type { ClustersService } from '../clustersService';
import { vmFromArgument } from '../vmPicker';
import type { CommandHandler, CommandServices } from '../../services';

interface PowerCommand {
  readonly action: PowerAction;
  /** Which VMs the command applies to (the palette offers only those). */
  readonly eligible: (vm: AzureVm) => boolean;
  readonly placeHolder: string;
  readonly done: string;
  /** Asks the user first; resolves to the action to run, or undefined when cancelled. */
  readonly confirm?: (vm: AzureVm) => Promise<PowerAction | undefined>;
}

const STOP_LABEL = 'Stop (Deallocate)';
const POWER_OFF_LABEL = 'Power Off (Keeps Billing)';

const COMMANDS: Record<'start' | 'stop' | 'powerOff' | 'restart', PowerCommand> = {
  start: {
    action: 'start',
    eligible: (vm) => ['deallocated', 'stopped'].includes(vm.status.powerState),
    placeHolder: 'Start which VM?',
    done: 'is running',
  },
  stop: {
    action: 'deallocate',
    eligible: (vm) => ['running', 'stopped', 'starting'].includes(vm.status.powerState),
    placeHolder: 'Stop (deallocate) which VM?',
    done: 'is deallocated: its compute is no longer billed',
    confirm: async (vm) => {
      const answer = await vscode.window.showWarningMessage(
        `Stop (deallocate) ${vm.name}?`,
        {
          modal: true,
          detail:
            "Deallocating releases the VM's hardware, so its compute is no longer billed. Processes on it end, its temporary disk is erased, and a dynamic public IP is released. Its disks are kept (and billed).",
        },
        STOP_LABEL,
      );
      return answer === STOP_LABEL ? 'deallocate' : undefined;
    },
  },
  powerOff: {
    action: 'powerOff',
    eligible: (vm) => vm.status.powerState === 'running',
    placeHolder: 'Power off which VM (it keeps billing)?',
    done: 'is powered off (still billed for compute until deallocated)',
    confirm: async (vm) => {
      const answer = await vscode.window.showWarningMessage(
        `Power off ${vm.name} without deallocating it?`,
        {
          modal: true,
          detail:
            'A powered-off VM keeps its hardware and Azure keeps billing its compute. To stop paying for it, stop (deallocate) it instead.',
        },
        POWER_OFF_LABEL,
        STOP_LABEL,
      );
      return answer === POWER_OFF_LABEL ? 'powerOff' : answer === STOP_LABEL ? 'deallocate' : undefined;
    },
  },
  restart: {
    action: 'restart',
    eligible: (vm) => vm.status.powerState === 'running',
    placeHolder: 'Restart which VM?',
    done: 'has restarted',
    confirm: async (vm) => {
      const answer = await vscode.window.showWarningMessage(
        `Restart ${vm.name}?`,
        { modal: true, detail: 'Everything running on it, training jobs included, is interrupted.' },
        'Restart',
      );
      return answer === 'Restart' ? 'restart' : undefined;
    },
  },
};

function powerCommand(command: PowerCommand): CommandHandler {
  return async (services: CommandServices, arg?: unknown) => {
    const service = services.clustersService;
    const vm = await vmFromArgument(service, arg, command.eligible, command.placeHolder);
    if (!vm) return;
    const action = command.confirm ? await command.confirm(vm) : command.action;
    if (!action) return;
    await runWithProgress(service, vm, action, action === command.action ? command.done : COMMANDS.stop.done);
  };
}

const VERBS: Record<PowerAction, string> = { start: 'start', deallocate: 'stop (deallocate)', powerOff: 'power off', restart: 'restart' };

async function runWithProgress(service: ClustersService, vm: AzureVm, action: PowerAction, done: string): Promise<void> {
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${pendingLabel(action).replace('…', '')} ${vm.name}…` },
      () => service.runAction(vm, action),
    );
  } catch (error) {
    const problem = azureLayer().describeAzureError(error);
    const retry = 'Retry';
    const answer = await vscode.window.showErrorMessage(
      `Azure PyTorch: could not ${VERBS[action]} ${vm.name}. ${problem.message} ${problem.advice}`,
      retry,
    );
    if (answer === retry) await runWithProgress(service, vm, action, done);
    return;
  }
  void vscode.window.showInformationMessage(`Azure PyTorch: ${vm.name} ${done}.`);
}

export const startVm = powerCommand(COMMANDS.start);
export const stopVm = powerCommand(COMMANDS.stop);
export const powerOffVm = powerCommand(COMMANDS.powerOff);
export const restartVm = powerCommand(COMMANDS.restart);
