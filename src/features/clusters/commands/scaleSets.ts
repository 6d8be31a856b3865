import * as vscode from 'vscode';
import type { ScaleSetInventory, ScaleSetOperation } from '../../../azure/scaleSetInventory';
import { capacityProblem, type AzureScaleSet, type ScaleSetAction, type ScaleSetInstance } from '../../../azure/scaleSet';
import { stringField } from '../../../common/fields';
import { UserCancelledError } from '../../../common/errors';
import { azureLayer } from '../../azureLayer';
import { ActionableError, confirm, showInformation } from '../../messages';
import type { CommandServices } from '../../services';
import { formatGpus } from '../clustersPresentation';
import { instanceNeeds, instanceStatesSummary, scaleConfirmation, scaleSetDescription } from '../scaleSetPresentation';

function scaleSetsOf(services: CommandServices): ScaleSetInventory {
  const scaleSets = services.clustersService.scaleSets;
  if (!scaleSets) throw new Error('Sign in to Azure first (Azure PyTorch: Sign In to Azure).');
  return scaleSets;
}

/** The scale set of the node the command was invoked on, or, from the palette, one the user picks. */
async function scaleSetFromArgument(services: CommandServices, arg: unknown, placeHolder: string): Promise<AzureScaleSet> {
  const scaleSets = scaleSetsOf(services);
  const id = stringField(arg, 'kind') === 'scaleSet' ? stringField(arg, 'scaleSetId') : undefined;
  if (id) {
    const found = scaleSets.findScaleSet(id);
    if (!found) throw new Error('That scale set is no longer listed; refresh the Clusters view.');
    return found;
  }
  const candidates = scaleSets.allScaleSets();
  if (candidates.length === 0) throw new Error('No GPU scale set is listed: expand a subscription in the Clusters view first.');
  const picked = await vscode.window.showQuickPick(
    candidates.map((set) => ({
      label: set.name,
      description: scaleSetDescription(set),
      detail: `${set.resourceGroup} · ${set.size}`,
      set,
    })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.set;
}

/** The Uniform instance of the node the command was invoked on (these commands are on instance nodes only). */
function instanceFromArgument(services: CommandServices, arg: unknown): { scaleSet: AzureScaleSet; instance: ScaleSetInstance } {
  const vmId = stringField(arg, 'kind') === 'scaleSetInstance' ? stringField(arg, 'vmId') : undefined;
  if (!vmId) throw new Error('Run this on a scale set instance in the Clusters view.');
  const found = scaleSetsOf(services).findInstance(vmId);
  if (!found) throw new Error('That instance is no longer listed; refresh the Clusters view.');
  return found;
}

const DONE: Record<ScaleSetOperation, string> = { start: 'started', deallocate: 'deallocated', scale: 'scaled' };

/** Runs an operation under a progress notification; a failure says why, with a Retry button. */
async function runWithProgress(
  title: string,
  what: string,
  operation: ScaleSetOperation,
  work: () => Promise<AzureScaleSet>,
): Promise<void> {
  let after: AzureScaleSet;
  try {
    after = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, work);
  } catch (error) {
    const problem = azureLayer().describeAzureError(error);
    const link = problem.link;
    const requestQuota = link ? [{ title: 'Request Quota…', run: () => vscode.env.openExternal(vscode.Uri.parse(link)) }] : [];
    throw new ActionableError(
      `${what} was not ${DONE[operation]}. ${problem.message} ${problem.advice}`,
      [...requestQuota, { title: 'Retry', run: () => runWithProgress(title, what, operation, work) }],
      { cause: error },
    );
  }
  void showInformation(`${what} ${operation === 'scale' ? 'now has' : 'is done:'} ${instanceStatesSummary(after)}.`);
}

function setCommand(action: ScaleSetAction) {
  return async (services: CommandServices, arg?: unknown): Promise<void> => {
    const verb = action === 'start' ? 'Start' : 'Deallocate';
    const set = await scaleSetFromArgument(services, arg, `${verb} every instance of which scale set?`);
    const affected = set.instances.filter((instance) => instanceNeeds(action, instance.vm.status.powerState));
    if (affected.length === 0) {
      void showInformation(`Every instance of ${set.name} is already ${action === 'start' ? 'running' : 'deallocated'}.`);
      return;
    }
    const count = `${affected.length} instance${affected.length === 1 ? '' : 's'}`;
    const gpus = set.gpus ? ` (${formatGpus(set.gpus)} each)` : '';
    await confirm(
      `${verb} ${count} of ${set.name}?`,
      action === 'start'
        ? `Each is billed like a ${set.size} VM${gpus} for as long as it runs.`
        : 'Deallocating releases their hardware, so their compute is no longer billed. Processes on them end, ' +
            'training jobs included, and their temporary disks are erased. Their OS disks are kept (and billed).',
      `${verb} ${count}`,
    );
    const scaleSets = scaleSetsOf(services);
    await runWithProgress(`${verb === 'Start' ? 'Starting' : 'Deallocating'} ${count} of ${set.name}…`, set.name, action, () =>
      scaleSets.runAction(set, action),
    );
  };
}

function instanceCommand(action: ScaleSetAction) {
  return async (services: CommandServices, arg?: unknown): Promise<void> => {
    const { scaleSet, instance } = instanceFromArgument(services, arg);
    const name = instance.vm.name;
    if (action === 'deallocate') {
      await confirm(
        `Stop (deallocate) ${name}?`,
        "Deallocating releases the instance's hardware, so its compute is no longer billed. Processes on it end, " +
          'its temporary disk is erased. Its OS disk is kept (and billed), and so is its place in the scale set.',
        'Stop (Deallocate)',
      );
    }
    const scaleSets = scaleSetsOf(services);
    await runWithProgress(`${action === 'start' ? 'Starting' : 'Deallocating'} ${name}…`, name, action, () =>
      scaleSets.runAction(scaleSet, action, [instance]),
    );
  };
}

/** Scale to N…: asks the count (0–1000), checks the vCPU quota for a scale-out, confirms what it does, and waits for Azure. */
export async function scaleScaleSet(services: CommandServices, arg?: unknown): Promise<void> {
  const set = await scaleSetFromArgument(services, arg, 'Scale which scale set?');
  const entered = await vscode.window.showInputBox({
    title: `Scale ${set.name}`,
    prompt: `How many instances of ${set.size}${set.gpus ? ` (${formatGpus(set.gpus)} each)` : ''}? It has ${set.capacity} now.`,
    value: String(set.capacity),
    validateInput: capacityProblem,
  });
  if (entered === undefined) throw new UserCancelledError();
  const capacity = Number(entered.trim());
  if (capacity === set.capacity) {
    void showInformation(`${set.name} already has ${capacity} instance${capacity === 1 ? '' : 's'}.`);
    return;
  }
  const scaleSets = scaleSetsOf(services);
  const shortfall = await scaleSets.quotaShortfall(set, capacity);
  if (shortfall) throw new Error(`${set.name} cannot grow to ${capacity} instances. ${shortfall}`);
  const { question, detail, button } = scaleConfirmation(set, capacity);
  await confirm(question, detail, button);
  await runWithProgress(`Scaling ${set.name} to ${capacity}…`, set.name, 'scale', () => scaleSets.scale(set, capacity));
}

export const startScaleSet = setCommand('start');
export const deallocateScaleSet = setCommand('deallocate');
export const startScaleSetInstance = instanceCommand('start');
export const deallocateScaleSetInstance = instanceCommand('deallocate');
