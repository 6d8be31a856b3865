import { createHash } from 'crypto';
import type { LaunchConfiguration } from './launchConfig';

/**
 * A launch configuration comes with the folder (a cloned repository, say): its `targets` may send
 * the workspace to any host and its `setup` commands run there. Before its first launch the user
 * sees where the workspace goes and what runs, and confirms; the confirmation holds for that
 * content of the configuration in that folder, and a change asks again.
 */

/** One configured target, as the confirmation shows it. */
export interface ConfirmationTarget {
  /** As written in the configuration. */
  readonly name: string;
  /** How the user knows it: "your Azure VM in rg-training", or undefined for a host of no setting of theirs. */
  readonly known?: string;
}

export interface LaunchConfirmation {
  /** Identifies the folder and the confirmed content: remembered once the user confirms. */
  readonly key: string;
  readonly question: string;
  readonly detail: string;
}

/**
 * The confirmation a launch of `configuration` needs, or undefined when it needs none: its
 * targets are all the user's own machines (a VM of their subscriptions, a host of their
 * `azurePytorch.ssh.hosts`) and it has no setup commands. Machines picked at launch are not in
 * `targets`, so they need none.
 */
export function launchConfirmation(
  folder: { readonly uri: string; readonly name: string },
  configuration: LaunchConfiguration,
  targets: readonly ConfirmationTarget[],
): LaunchConfirmation | undefined {
  const unknown = targets.filter((t) => !t.known);
  if (unknown.length === 0 && configuration.setup.length === 0) return undefined;
  const lines: string[] = [];
  if (targets.length) {
    lines.push(`The folder ${folder.name} is copied to:`);
    for (const target of targets) lines.push(`  • ${target.name}: ${target.known ?? 'not one of your Azure VMs or SSH hosts'}`);
  } else {
    lines.push(`The folder ${folder.name} is copied to the machines you choose.`);
  }
  if (configuration.setup.length) {
    lines.push('', 'These setup commands run there before the script:');
    for (const command of configuration.setup) lines.push(`  $ ${command}`);
  }
  if (configuration.requirements) lines.push('', `pip installs the packages of ${configuration.requirements}.`);
  if (configuration.python) lines.push('', `The interpreter is ${configuration.python}.`);
  lines.push('', `This comes from .vscode/azure-pytorch.json: you are asked again when these entries change.`);
  const sends = unknown.length ? `sends this folder to ${unknown.map((t) => t.name).join(', ')}` : 'runs setup commands';
  return {
    key: confirmationKey(folder.uri, configuration),
    question: `The launch configuration "${configuration.name}" ${sends}. Launch it?`,
    detail: lines.join('\n'),
  };
}

/** A hash of the folder and the entries that decide where the workspace goes and what runs there. */
export function confirmationKey(folderUri: string, configuration: LaunchConfiguration): string {
  const content = JSON.stringify([
    folderUri,
    configuration.name,
    configuration.targets,
    configuration.setup,
    configuration.requirements ?? null,
    configuration.python ?? null,
  ]);
  return createHash('sha256').update(content).digest('hex');
}
