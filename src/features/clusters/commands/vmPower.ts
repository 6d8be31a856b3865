import * as vscode from 'vscode';
import type { AzureVm } from '../../../azure/virtualMachine';
import type { PowerAction } from '../../../azure/powerActions';
import { azureLayer } from '../../azureLayer';
import { ActionableError, confirm, showInformation } from '../../messages';
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
  /** Asks the user first; resolves to the action to run. Throws UserCancelledError when dismissed. */
  readonly confirm?: (vm: AzureVm) => Promise<PowerAction>;
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
      await confirm(
        `Stop (deallocate) ${vm.name}?`,
        "Deallocating releases the VM's hardware, so its compute is no longer billed. Processes on it end, " +
          'its temporary disk is erased, and a dynamic public IP is released. Its disks are kept (and billed).',
        STOP_LABEL,
      );
      return 'deallocate';
    },
  },
  powerOff: {
    action: 'powerOff',
    eligible: (vm) => vm.status.powerState === 'running',
    placeHolder: 'Power off which VM (it keeps billing)?',
    done: 'is powered off (still billed for compute until deallocated)',
    confirm: async (vm) => {
      const answer = await confirm(
        `Power off ${vm.name} without deallocating it?`,
        'A powered-off VM keeps its hardware and Azure keeps billing its compute. To stop paying for it, stop (deallocate) it instead.',
        POWER_OFF_LABEL,
        STOP_LABEL,
      );
      return answer === POWER_OFF_LABEL ? 'powerOff' : 'deallocate';
    },
  },
  restart: {
    action: 'restart',
    eligible: (vm) => vm.status.powerState === 'running',
    placeHolder: 'Restart which VM?',
    done: 'has restarted',
    confirm: async (vm) => {
      await confirm(`Restart ${vm.name}?`, 'Everything running on it, training jobs included, is interrupted.', 'Restart');
      return 'restart';
    },
  },
};

function powerCommand(command: PowerCommand): CommandHandler {
  return async (services: CommandServices, arg?: unknown) => {
    const service = services.clustersService;
    const vm = await vmFromArgument(service, arg, command.eligible, command.placeHolder);
    const action = command.confirm ? await command.confirm(vm) : command.action;
    await runWithProgress(service, vm, action, action === command.action ? command.done : COMMANDS.stop.done);
  };
}

const VERBS: Record<PowerAction, string> = { start: 'start', deallocate: 'stop (deallocate)', powerOff: 'power off', restart: 'restart' };

/** Runs the action under a progress notification; a failure says why, with a Retry button. */
async function runWithProgress(service: ClustersService, vm: AzureVm, action: PowerAction, done: string): Promise<void> {
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${pendingLabel(action).replace('…', '')} ${vm.name}…` },
      () => service.runAction(vm, action),
    );
  } catch (error) {
    const problem = azureLayer().describeAzureError(error);
    const link = problem.link;
    const requestQuota = link ? [{ title: 'Request Quota…', run: () => vscode.env.openExternal(vscode.Uri.parse(link)) }] : [];
    throw new ActionableError(
      `could not ${VERBS[action]} ${vm.name}. ${problem.message} ${problem.advice}`,
      [...requestQuota, { title: 'Retry', run: () => runWithProgress(service, vm, action, done) }],
      { cause: error },
    );
  }
  void showInformation(`${vm.name} ${done}.`);
}

export const startVm = powerCommand(COMMANDS.start);
export const stopVm = powerCommand(COMMANDS.stop);
export const powerOffVm = powerCommand(COMMANDS.powerOff);
export const restartVm = powerCommand(COMMANDS.restart);
