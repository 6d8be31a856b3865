import * as vscode from 'vscode';
import type { AzureVm } from '../../azure/virtualMachine';
import { UserCancelledError } from '../../common/errors';
import { machineKey, sshMachine, vmMachine, type MachineRef } from '../../common/machine';
import { vmDescription } from '../clusters/clustersPresentation';
import type { ClustersService } from '../clusters/clustersService';
import { showWarning } from '../messages';
import { settings } from '../settings';
import { orderTargets, type OfferedMachine, type TargetOrderContext } from '../../jobs/targetOrder';

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
  readonly create?: boolean;
}

const createItem: TargetItem = {
  label: '$(add) Create GPU VM…',
  description: 'size, price, quota and spot; the launch goes on there once it runs',
  create: true,
};

/** What the pick knows of this launch: the machine used last and the ones running jobs now. */
export type TargetPickContext = TargetOrderContext;

interface OfferedTarget extends OfferedMachine {
  readonly target: TrainingTarget;
}

function offered(target: TrainingTarget): OfferedTarget {
  const vm = target.vm;
  return {
    target,
    machine: target.machine,
    powerState: vm?.status.powerState,
    reachable: !vm || !!vm.publicIp || (settings.usePrivateIp() && !!vm.privateIp),
  };
}

function targetItem(entry: { item: OfferedTarget; lastUsed: boolean; busy: boolean }, clusters: ClustersService): TargetItem {
  const { target } = entry.item;
  const notes = [entry.lastUsed ? 'last used' : '', entry.busy ? 'a job runs there' : ''].filter(Boolean);
  const suffix = notes.length ? ` — ${notes.join(', ')}` : '';
  if (!target.vm) return { label: `$(terminal) ${target.machine.label}`, description: `SSH host${suffix}`, target };
  const start = needsStart(target) ? ' — will be started first' : '';
  return {
    label: `$(vm) ${target.vm.name}`,
    description: vmDescription(target.vm, clusters.pendingAction(target.vm.id)) + start + suffix,
    detail: `${target.vm.resourceGroup} · ${target.vm.size}`,
    target,
  };
}

/** The pick's entries in the order of orderTargets, and the one Enter takes. */
function orderedItems(clusters: ClustersService, context: TargetPickContext): { items: TargetItem[]; defaultItem?: TargetItem } {
  const order = orderTargets(availableTargets(clusters).map(offered), context);
  let defaultItem: TargetItem | undefined = order.createByDefault ? createItem : undefined;
  const items = order.entries.map((entry): TargetItem => {
    if (entry.kind === 'separator') return { label: entry.label, kind: vscode.QuickPickItemKind.Separator };
    if (entry.kind === 'create') return createItem;
    const item = targetItem(entry, clusters);
    if (entry.item === order.defaultItem) defaultItem = item;
    return item;
  });
  return { items, defaultItem };
}

function itemKey(item: TargetItem | undefined): string | undefined {
  return item?.create ? 'create' : item?.target && machineKey(item.target.machine);
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
 * never have been opened). Enter takes the default of orderTargets (never a VM that must be
 * started), or the machine the user moved to; with no such machine it does nothing. Resolves to
 * the accepted items; throws UserCancelledError when dismissed.
 */
async function livePick(
  clusters: ClustersService,
  context: TargetPickContext,
  options: { title: string; placeHolder: string; canPickMany: boolean; extra?: TargetItem[] },
): Promise<readonly TargetItem[]> {
  const pick = vscode.window.createQuickPick<TargetItem>();
  pick.title = options.title;
  pick.placeholder = options.placeHolder;
  pick.canSelectMany = options.canPickMany;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  let shown = '';
  let defaultKey: string | undefined;
  const update = (): void => {
    pick.busy = listing(clusters);
    const ordered = orderedItems(clusters, context);
    const { items } = ordered;
    // While the VMs are being listed, "no machine" is not known yet: Enter takes nothing.
    const defaultItem = ordered.defaultItem?.create && pick.busy ? undefined : ordered.defaultItem;
    const machines = items.filter((item) => item.target).length;
    const extra = machines > 1 ? (options.extra ?? []) : [];
    // "Create GPU VM…" stays last, under its separator.
    const at = items.includes(createItem) ? items.indexOf(createItem) - 1 : items.length;
    const next = [...items.slice(0, at), ...extra, ...items.slice(at)];
    // Replacing the items moves the active one to the top: only when something changed (the
    // default included: "Create GPU VM…" becomes it once the listing ends with no machine).
    const signature = JSON.stringify([itemKey(defaultItem), ...next.map((item) => [item.label, item.description, item.detail])]);
    if (!pick.busy && machines === 0)
      pick.placeholder = context.offerCreate
        ? 'No machine to train on: create a GPU VM, sign in to Azure (Clusters view) or add an SSH host'
        : 'No machine to train on: sign in to Azure (Clusters view) or add an SSH host';
    else if (!options.canPickMany)
      pick.placeholder = defaultItem || pick.busy ? options.placeHolder : 'Choose a VM to start (starting one bills it)';
    if (signature === shown) return;
    shown = signature;
    const selected = new Set(pick.selectedItems.map(itemKey));
    const active = pick.activeItems[0];
    const current = itemKey(active);
    // A machine the user moved to stays active, otherwise the default (which may have changed);
    // one that must be started never carries over, as the active item may be the list's first for a moment.
    const moved = current !== undefined && current !== defaultKey && !(active?.target && needsStart(active.target));
    const keep = moved ? next.find((item) => itemKey(item) === current) : undefined;
    pick.items = next;
    defaultKey = itemKey(defaultItem);
    if (options.canPickMany) pick.selectedItems = next.filter((item) => item.target && selected.has(itemKey(item)));
    else pick.activeItems = keep ? [keep] : defaultItem ? [defaultItem] : [];
  };
  clusters.ensureStarted();
  const changes = clusters.onDidChange(update);
  update();
  try {
    return await new Promise<readonly TargetItem[]>((resolve, reject) => {
      pick.onDidAccept(() => {
        if (options.canPickMany) resolve(pick.selectedItems);
        else if (pick.activeItems.length) resolve(pick.activeItems.slice(0, 1));
      });
      pick.onDidHide(() => reject(new UserCancelledError()));
      pick.show();
    });
  } finally {
    changes.dispose();
    pick.dispose();
  }
}

/**
 * Runs Create GPU VM (the capacity feature's command) and resolves to the VM it created, once
 * listed; undefined when the create was cancelled or failed (the command showed why).
 */
async function createVmTarget(clusters: ClustersService): Promise<TrainingTarget | undefined> {
  const vmId: unknown = await vscode.commands.executeCommand('azurePytorch.createGpuVm');
  if (typeof vmId !== 'string') return undefined;
  const vm = await clusters.findVmWhenListed(vmId);
  return vm && vmTrainingTarget(vm);
}

/**
 * Asks where to train: one machine, or (through the last entry) several for a multi-node job.
 * `nodes` from a launch configuration asks for exactly that many. The pick of one machine also
 * offers Create GPU VM…: the launch goes on on the new VM, or the pick opens again if none was made.
 * Throws UserCancelledError when dismissed.
 */
export async function pickTargets(
  clusters: ClustersService,
  nodes?: number,
  context: TargetPickContext = { busy: new Set() },
): Promise<TrainingTarget[]> {
  while (!nodes || nodes === 1) {
    const multi: TargetItem[] = nodes
      ? []
      : [
          { label: '', kind: vscode.QuickPickItemKind.Separator },
          { label: '$(server-environment) Several machines (multi-node)…', multi: true },
        ];
    const picked = await livePick(
      clusters,
      { ...context, offerCreate: true },
      {
        title: 'Train on Azure',
        placeHolder: 'Train on which machine?',
        canPickMany: false,
        extra: multi,
      },
    );
    const item = picked[0];
    if (item?.create) {
      const created = await createVmTarget(clusters);
      if (created) return [created];
      continue;
    }
    if (item?.multi) break;
    if (!item?.target) throw new UserCancelledError();
    return [item.target];
  }
  for (;;) {
    const picked = await livePick(clusters, context, {
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
