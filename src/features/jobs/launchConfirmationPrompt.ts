import type * as vscode from 'vscode';
import { launchConfirmation, type ConfirmationTarget } from '../../jobs/launchConfirmation';
import type { LaunchConfiguration } from '../../jobs/launchConfig';
import { confirm } from '../messages';
import { settings } from '../settings';
import type { TrainingTarget } from './jobTargets';

const confirmedKey = 'azurePytorch.confirmedLaunchConfigurations';
/** The most confirmations remembered per workspace; the oldest go first. */
const remembered = 200;

function described(name: string, target: TrainingTarget): ConfirmationTarget {
  if (target.vm) return { name, known: `your Azure VM ${target.vm.name} (${target.vm.resourceGroup}, ${target.vm.size})` };
  // A machine-scoped setting: a workspace's own settings cannot add to it.
  const own = settings.sshHosts().includes(target.machine.id);
  return { name, known: own ? 'one of your SSH hosts (azurePytorch.ssh.hosts)' : undefined };
}

/**
 * Before the first launch of a configuration that sends the folder to a machine that is not the
 * user's own, or runs setup commands, shows where it goes and what runs, and asks; the answer is
 * kept per folder and configuration content. Throws UserCancelledError when the user declines.
 */
export async function confirmLaunchConfiguration(
  workspaceState: vscode.Memento,
  folder: vscode.WorkspaceFolder,
  configuration: LaunchConfiguration,
  targets: readonly TrainingTarget[],
): Promise<void> {
  const confirmation = launchConfirmation(
    { uri: folder.uri.toString(), name: folder.name },
    configuration,
    targets.map((target, i) => described(configuration.targets[i] ?? target.machine.label, target)),
  );
  if (!confirmation) return;
  const confirmed = workspaceState.get<string[]>(confirmedKey, []);
  if (confirmed.includes(confirmation.key)) return;
  await confirm(confirmation.question, confirmation.detail, 'Launch');
  await workspaceState.update(confirmedKey, [...confirmed, confirmation.key].slice(-remembered));
}
