import * as vscode from 'vscode';
import type { AzureVm } from '../../azure/virtualMachine';
import { UserCancelledError } from '../../common/errors';
import { machineKey, sshMachine, vmMachine, type MachineRef } from '../../common/machine';
import { vmDescription } from '../clusters/clustersPresentation';
import type { ClustersService } from '../clusters/clustersService';
import { showWarning } from '../messages';
import { settings } from '../settings';

/** A machine a job can run on, as the launch flow sees it: which machine, and its Azure facts. */
export interface TrainingTarget {
  readonly machine: MachineRef;
  /** Set for Azure VMs: power state, GPUs, addresses. */
  readonly vm?: AzureVm;
}

export function vmTrainingTarget(vm: AzureVm): TrainingTarget {
  return { machine: vmMachine(vm), vm };
}

export function sshHostTrainingTarget(host: string): TrainingTarget {
  return { machine: sshMachine(host) };
}

/** Whether the VM must be started before it can train. */
export function needsStart(target: TrainingTarget): boolean {
  return !!target.vm && target.vm.status.powerState !== 'running';
}

/** GPUs the target's size has (whole ones), or undefined when not known (SSH hosts). */
export function targetGpus(target: TrainingTarget): number | undefined {
  return target.vm?.gpus ? Math.floor(target.vm.gpus.count) : undefined;
}

function configuredSshHosts(): string[] {
  return settings.sshHosts().filter((h) => typeof h === 'string' && h.trim());
}

/** The machines the user can train on now: GPU VMs that are or can be running, then SSH hosts. */
export function availableTargets(clusters: ClustersService): TrainingTarget[] {
  const vms = clusters.visibleVms().filter((vm) => ['running', 'deallocated', 'stopped'].includes(vm.status.powerState));
  return [...vms.map(vmTrainingTarget), ...configuredSshHosts().map(sshHostTrainingTarget)];
}

/**
 * Resolves the `targets` of a launch configuration: a VM resource id, a VM name (unique among the
 * listed VMs), or else an SSH host. Throws naming the entry that matches nothing usable.
 */
export function resolveConfiguredTargets(names: readonly string[], clusters: ClustersService): TrainingTarget[] {
  const vms = clusters.visibleVms();
  return names.map((name) => {
    if (name.toLowerCase().startsWith('/subscriptions/')) {
      const vm = clusters.findVm(name);
      if (!vm)
        throw new Error(
          `The VM ${name} of the launch configuration is not listed: sign in to Azure, or check the Clusters view's subscriptions.`,
        );
      return vmTrainingTarget(vm);
    }
    const named = vms.filter((vm) => vm.name.toLowerCase() === name.toLowerCase());
    if (named.length > 1) throw new Error(`Several VMs are named ${name}: use its resource id in the launch configuration's "targets".`);
    return named.length === 1 ? vmTrainingTarget(named[0]) : sshHostTrainingTarget(name);
  });
}

interface TargetItem extends vscode.QuickPickItem {
  readonly target?: TrainingTarget;
  readonly multi?: boolean;
}

function targetItem(target: TrainingTarget, clusters: ClustersService): TargetItem {
  if (!target.vm) return { label: `$(terminal) ${target.machine.label}`, description: 'SSH host', target };
  const start = needsStart(target) ? ' — will be started first' : '';
  return {
    label: `$(vm) ${target.vm.name}`,
    description: vmDescription(target.vm, clusters.pendingAction(target.vm.id)) + start,
    detail: `${target.vm.resourceGroup} · ${target.vm.size}`,
    target,
  };
}

/** Whether the Azure VMs are still being listed (the pick shows busy and fills in as they come). */
function listing(clusters: ClustersService): boolean {
  const connection = clusters.connection;
  if (connection.status === 'idle' || connection.status === 'connecting') return true;
  if (connection.status !== 'signedIn') return false;
  const state = connection.inventory.state;
  return (
    state.status === 'disconnected' ||
    state.status === 'loading' ||
    (state.status === 'ready' && state.subscriptions.some((s) => s.listing.status === 'loading'))
  );
}

/**
 * One quick pick that shows at once and fills in while Azure lists the VMs (the Clusters view may
 * never have been opened). Resolves to the accepted items; throws UserCancelledError when dismissed.
 */
async function livePick(
  clusters: ClustersService,
  options: { title: string; placeHolder: string; canPickMany: boolean; extra?: TargetItem[] },
): Promise<readonly TargetItem[]> {
  const pick = vscode.window.createQuickPick<TargetItem>();
  pick.title = options.title;
  pick.placeholder = options.placeHolder;
  pick.canSelectMany = options.canPickMany;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  const update = (): void => {
    const selected = new Set(pick.selectedItems.map((item) => item.target && machineKey(item.target.machine)));
    const items = availableTargets(clusters).map((t) => targetItem(t, clusters));
    const extra = items.length > 1 ? (options.extra ?? []) : [];
    pick.items = [...items, ...extra];
    if (options.canPickMany) pick.selectedItems = pick.items.filter((item) => item.target && selected.has(machineKey(item.target.machine)));
    pick.busy = listing(clusters);
    if (!pick.busy && items.length === 0) pick.placeholder = 'No machine to train on: sign in to Azure (Clusters view) or add an SSH host';
  };
  clusters.ensureStarted();
  const changes = clusters.onDidChange(update);
  update();
  try {
    return await new Promise<readonly TargetItem[]>((resolve, reject) => {
      pick.onDidAccept(() => resolve(options.canPickMany ? pick.selectedItems : pick.activeItems.slice(0, 1)));
      pick.onDidHide(() => reject(new UserCancelledError()));
      pick.show();
    });
  } finally {
    changes.dispose();
    pick.dispose();
  }
}

/**
 * Asks where to train: one machine, or (through the last entry) several for a multi-node job.
 * `nodes` from a launch configuration asks for exactly that many. Throws UserCancelledError when dismissed.
 */
export async function pickTargets(clusters: ClustersService, nodes?: number): Promise<TrainingTarget[]> {
  if (!nodes || nodes === 1) {
    const multi: TargetItem[] = nodes
      ? []
      : [
          { label: '', kind: vscode.QuickPickItemKind.Separator },
          { label: '$(server-environment) Several machines (multi-node)…', multi: true },
        ];
    const picked = await livePick(clusters, {
      title: 'Train on Azure',
      placeHolder: 'Train on which machine?',
      canPickMany: false,
      extra: multi,
    });
    const item = picked[0];
    if (!item?.multi) {
      if (!item?.target) throw new UserCancelledError();
      return [item.target];
    }
  }
  for (;;) {
    const picked = await livePick(clusters, {
      title: 'Train on Azure: multi-node',
      placeHolder: nodes
        ? `Choose ${nodes} machines; node 0 is the first of them in this list`
        : 'Choose the machines; node 0 is the first of them in this list',
      canPickMany: true,
    });
    const chosen = picked.flatMap((item) => (item.target ? [item.target] : []));
    if (chosen.length === 0) throw new UserCancelledError();
    if (!nodes || chosen.length === nodes) return chosen;
    void showWarning(`the launch configuration asks for ${nodes} machines; ${chosen.length} were chosen.`);
  }
}
