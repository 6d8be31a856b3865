import * as vscode from 'vscode';
import type { ScaleSetOperation } from '../../azure/scaleSetInventory';
import type { AzureScaleSet } from '../../azure/scaleSet';
import type { AzureVm } from '../../azure/virtualMachine';
import { vmDescription, vmIcon, vmTooltipRows } from './clustersPresentation';
import type { ClustersService } from './clustersService';
import {
  scaleSetContextValue,
  scaleSetDescription,
  scaleSetIcon,
  scaleSetInstanceContextValue,
  scaleSetPendingLabel,
  scaleSetTooltipRows,
} from './scaleSetPresentation';

/** A scale set node as commands receive it from the view's menus. */
export interface ScaleSetNode {
  readonly kind: 'scaleSet';
  readonly scaleSetId: string;
}

/** A Uniform scale set instance's node (a Flexible instance is shown as the VM it is). */
export interface ScaleSetInstanceNode {
  readonly kind: 'scaleSetInstance';
  /** The instance's resource id, which the scale set inventory finds it by. */
  readonly vmId: string;
}

/** A row that only says something (why the scale sets could not be listed). */
export interface MessageNode {
  readonly kind: 'message';
  readonly item: vscode.TreeItem;
}

/** What the Clusters view shows of a subscription's scale sets, beside its VMs. */
export interface SubscriptionScaleSets {
  /** One node per GPU scale set, by name; a row saying why when they could not be listed. */
  readonly nodes: readonly (ScaleSetNode | MessageNode)[];
  /** The VMs that are a Flexible set's instances, shown under their set rather than beside it (lower-cased ids). */
  readonly memberVmIds: ReadonlySet<string>;
}

/**
 * The scale sets' part of the Clusters view: a subscription's sets (listed when it first shows),
 * each set's instances, and their tree items. Nodes are kept, so one of them can be redrawn alone.
 */
export class ScaleSetNodes {
  private readonly setNodes = new Map<string, ScaleSetNode>();
  private readonly instanceNodes = new Map<string, ScaleSetInstanceNode>();

  constructor(private readonly service: ClustersService) {}

  forSubscription(subscriptionId: string): SubscriptionScaleSets {
    const listing = this.service.scaleSets?.listing(subscriptionId);
    if (listing?.status === 'failed') {
      const row = new vscode.TreeItem(`Scale sets could not be listed: ${listing.problem.message}`, vscode.TreeItemCollapsibleState.None);
      row.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      row.tooltip = `${listing.problem.message}\n\n${listing.problem.advice}`;
      row.command = { command: 'azurePytorch.refresh', title: 'Retry' };
      row.contextValue = 'message';
      return { nodes: [{ kind: 'message', item: row }], memberVmIds: new Set() };
    }
    if (listing?.status !== 'loaded') return { nodes: [], memberVmIds: new Set() };
    const sets = [...listing.scaleSets].sort((a, b) => a.name.localeCompare(b.name));
    const memberVmIds = new Set(
      sets.filter((set) => set.orchestration === 'Flexible').flatMap((set) => set.instances.map((i) => i.vm.id.toLowerCase())),
    );
    return { nodes: sets.map((set) => this.setNode(set.id)), memberVmIds };
  }

  /** A set's instances, lowest instance id first: Uniform ones as instance nodes, Flexible ones as the VMs they are. */
  children<V>(node: ScaleSetNode, vmNode: (vmId: string) => V): (V | ScaleSetInstanceNode | MessageNode)[] {
    const set = this.service.scaleSets?.findScaleSet(node.scaleSetId);
    if (!set) return [];
    if (set.instancesProblem) {
      const row = new vscode.TreeItem(`Instances could not be listed: ${set.instancesProblem}`, vscode.TreeItemCollapsibleState.None);
      row.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      row.contextValue = 'message';
      return [{ kind: 'message', item: row }];
    }
    return set.instances.map((instance) => (set.orchestration === 'Flexible' ? vmNode(instance.vm.id) : this.instanceNode(instance.vm.id)));
  }

  setItem(node: ScaleSetNode): vscode.TreeItem {
    const set = this.service.scaleSets?.findScaleSet(node.scaleSetId);
    if (!set) return new vscode.TreeItem('Scale set');
    return scaleSetItem(set, this.service.scaleSets?.pendingOperation(set.id));
  }

  instanceItem(node: ScaleSetInstanceNode): vscode.TreeItem {
    const found = this.service.scaleSets?.findInstance(node.vmId);
    if (!found) return new vscode.TreeItem('Instance');
    return instanceItem(found.instance.vm, this.service.scaleSets?.pendingOperation(node.vmId));
  }

  private setNode(scaleSetId: string): ScaleSetNode {
    const key = scaleSetId.toLowerCase();
    let node = this.setNodes.get(key);
    if (!node) {
      node = { kind: 'scaleSet', scaleSetId };
      this.setNodes.set(key, node);
    }
    return node;
  }

  private instanceNode(vmId: string): ScaleSetInstanceNode {
    const key = vmId.toLowerCase();
    let node = this.instanceNodes.get(key);
    if (!node) {
      node = { kind: 'scaleSetInstance', vmId };
      this.instanceNodes.set(key, node);
    }
    return node;
  }
}

function scaleSetItem(set: AzureScaleSet, pending: ScaleSetOperation | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(set.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = set.id;
  item.description = scaleSetDescription(set, pending);
  item.contextValue = scaleSetContextValue(set, pending);
  const icon = scaleSetIcon(set, pending);
  item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
  const tooltip = new vscode.MarkdownString('**').appendText(set.name).appendMarkdown('** (VM scale set)\n\n');
  for (const [label, value] of scaleSetTooltipRows(set, pending))
    tooltip.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  item.tooltip = tooltip;
  return item;
}

function instanceItem(vm: AzureVm, pending: ScaleSetOperation | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(vm.name, vscode.TreeItemCollapsibleState.None);
  item.id = vm.id;
  item.description = pending ? scaleSetPendingLabel(pending) : vmDescription(vm);
  item.contextValue = scaleSetInstanceContextValue(vm, pending);
  const icon = pending ? { id: 'loading~spin', color: 'charts.yellow' } : vmIcon(vm);
  item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
  const tooltip = new vscode.MarkdownString('**').appendText(vm.name).appendMarkdown('**\n\n');
  for (const [label, value] of vmTooltipRows(vm)) tooltip.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  item.tooltip = tooltip;
  return item;
}
