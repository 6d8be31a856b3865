import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AzureProblem } from '../../azure/azureErrors';
import type { SubscriptionEntry } from '../../azure/clusterInventory';
import type { AzureVm } from '../../azure/virtualMachine';
import { Disposable } from '../../common/disposable';
import { sshMachine, vmMachine, type MachineRef } from '../../common/machine';
import { parseSshConfig } from '../../ssh/sshConfig';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';
import { settings, settingsChanged } from '../settings';
import { gpuLoadTooltipRows } from './gpuLoad';
import type { ClusterGpuTelemetry } from './gpuTelemetry';
import { sshHostDescription, subscriptionDescription, vmContextValue, vmDescription, vmIcon, vmTooltipRows } from './clustersPresentation';
import type { ClustersService } from './clustersService';
import { sshHostGpuPresentation, type SshHostGpuState } from './sshHostGpus';
import { ScaleSetNodes, type ScaleSetInstanceNode, type ScaleSetNode } from './scaleSetNodes';
import type { SshHostGpuReader } from './sshHostReader';
import { sshConfigAliases, sshHostEntries, type SshHostEntry } from './sshHosts';

/** A node of the Clusters view. Subscription and VM nodes are kept, so one of them can be refreshed alone. */
export type ClusterNode =
  | { readonly kind: 'subscription'; readonly subscriptionId: string }
  | { readonly kind: 'vm'; readonly vmId: string }
  | { readonly kind: 'sshHosts' }
  | { readonly kind: 'sshHost'; readonly host: string; readonly source: SshHostEntry['source'] }
  | { readonly kind: 'message'; readonly item: vscode.TreeItem }
  | ScaleSetNode
  | ScaleSetInstanceNode;

/** A VM node as commands receive it from the view's menus. */
export type VmNode = Extract<ClusterNode, { kind: 'vm' }>;
/** An SSH host node as commands receive it. */
export type SshHostNode = Extract<ClusterNode, { kind: 'sshHost' }>;

const SSH_HOSTS_NODE: ClusterNode = { kind: 'sshHosts' };

/** What another feature adds to a VM node (the cost guard: its price per hour and auto-deallocate policy). */
export interface VmAnnotations {
  readonly onDidChange: vscode.Event<void>;
  annotate(vm: AzureVm): { readonly description: readonly string[]; readonly tooltipRows: ReadonlyArray<readonly [string, string]> };
}

/** The Clusters view: Azure subscriptions and their GPU VMs. */
export class ClustersTreeProvider extends Disposable implements vscode.TreeDataProvider<ClusterNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ClusterNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptionNodes = new Map<string, ClusterNode>();
  private readonly vmNodes = new Map<string, VmNode>();
  private readonly sshHostNodes = new Map<string, SshHostNode>();
  private readonly scaleSetNodes: ScaleSetNodes;

  constructor(
    private readonly service: ClustersService,
    /** Live GPU load of the machines jobs run on. */
    private readonly gpuTelemetry: ClusterGpuTelemetry,
    /** What nvidia-smi says of each SSH host's GPUs. */
    readonly sshHostGpus: SshHostGpuReader,
    private readonly annotations?: VmAnnotations,
  ) {
    super();
    this.scaleSetNodes = new ScaleSetNodes(service);
    if (annotations) this.register(annotations.onDidChange(() => this.changed.fire(undefined)));
    this.register(gpuTelemetry.onDidChange((machine) => this.redrawMachine(machine)));
    this.register(sshHostGpus.onDidChange((host) => this.redrawMachine(sshMachine(host))));
    this.register(
      service.onDidChange((change) => {
        if (change.scope === 'vm') {
          const node = this.vmNodes.get(change.vmId.toLowerCase());
          if (node) return this.changed.fire(node);
        } else if (change.scope === 'subscription') {
          const node = this.subscriptionNodes.get(change.subscriptionId);
          if (node) return this.changed.fire(node);
        }
        this.changed.fire(undefined);
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (settingsChanged(event, 'sshHosts')) this.changed.fire(undefined);
      }),
    );
    const sshConfig = this.register(
      vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.join(os.homedir(), '.ssh')), 'config')),
    );
    for (const event of [sshConfig.onDidChange, sshConfig.onDidCreate, sshConfig.onDidDelete]) {
      this.register(event(() => this.changed.fire(undefined)));
    }
  }

  /** Lists everything anew from Azure, and reads the SSH hosts' GPUs again. */
  refresh(): void {
    this.sshHostGpus.forget();
    this.changed.fire(undefined);
    void this.service.refresh();
  }

  /** Redraws the node of a machine if it is shown. */
  private redrawMachine(machine: MachineRef): void {
    const node = machine.kind === 'vm' ? this.vmNodes.get(machine.id.toLowerCase()) : this.sshHostNodes.get(machine.id);
    if (node) this.changed.fire(node);
  }

  getTreeItem(node: ClusterNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message':
        return node.item;
      case 'subscription': {
        const entry = this.subscriptionEntry(node.subscriptionId);
        return entry ? subscriptionItem(entry, this.visibleVms(entry).length) : new vscode.TreeItem('Subscription');
      }
      case 'vm': {
        const vm = this.service.findVm(node.vmId);
        return vm
          ? vmItem(vm, this.service.pendingAction(vm.id), this.gpuTelemetry.latest(vmMachine(vm)), this.annotations?.annotate(vm))
          : new vscode.TreeItem('VM');
      }
      case 'sshHosts': {
        const item = new vscode.TreeItem('SSH Hosts', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'sshHosts';
        item.iconPath = new vscode.ThemeIcon('remote-explorer');
        item.tooltip = 'Machines of your own to train on: the hosts of ~/.ssh/config and the ones you added (azurePytorch.ssh.hosts).';
        item.contextValue = 'sshHosts';
        return item;
      }
      case 'scaleSet':
        return this.scaleSetNodes.setItem(node);
      case 'scaleSetInstance':
        return this.scaleSetNodes.instanceItem(node);
      case 'sshHost':
        return sshHostItem(node, this.sshHostGpus.state(node.host), this.gpuTelemetry.latest(sshMachine(node.host)));
    }
  }

  getChildren(node?: ClusterNode): ClusterNode[] {
    if (!node) {
      const hosts = this.sshHosts().length > 0 ? [SSH_HOSTS_NODE] : [];
      const azure = this.rootNodes();
      // Signed out with SSH hosts: the welcome (with its Sign In button) would not show, so a row offers it.
      if (azure.length === 0 && hosts.length > 0) {
        return [
          message('Sign in to Azure to see your GPU VMs', {
            icon: 'sign-in',
            command: { command: 'azurePytorch.signIn', title: 'Sign In to Azure' },
          }),
          ...hosts,
        ];
      }
      return [...azure, ...hosts];
    }
    if (node.kind === 'sshHosts') {
      const entries = this.sshHosts();
      // Read when the node shows (it is expanded by default), not at activation.
      this.sshHostGpus.readInBackground(entries.map((entry) => entry.host));
      return entries.map((entry) => this.sshHostNode(entry));
    }
    if (node.kind === 'scaleSet') return this.scaleSetNodes.children(node, (vmId) => this.vmNode(vmId));
    if (node.kind !== 'subscription') return [];
    const entry = this.subscriptionEntry(node.subscriptionId);
    if (!entry) return [];
    switch (entry.listing.status) {
      case 'loading':
        return [message('Loading VMs…', { icon: 'loading~spin' })];
      case 'failed': {
        const { problem } = entry.listing;
        return [
          message(problem.advice, {
            icon: 'lightbulb',
            command: { command: 'azurePytorch.retrySubscription', title: 'Retry', arguments: [node] },
            tooltip: problemTooltip(problem),
          }),
        ];
      }
      case 'loaded': {
        // GPU scale sets first; a Flexible set's instances show under it, not beside it.
        const scaleSets = this.scaleSetNodes.forSubscription(node.subscriptionId);
        const vms = this.visibleVms(entry).filter((vm) => !scaleSets.memberVmIds.has(vm.id.toLowerCase()));
        if (vms.length === 0 && scaleSets.nodes.length === 0) {
          const hidden = entry.listing.vms.length;
          return hidden > 0
            ? [
                message(`No GPU VMs (${hidden} without GPUs hidden)`, {
                  icon: 'eye',
                  command: { command: 'azurePytorch.showNonGpuVms', title: 'Show Non-GPU VMs' },
                }),
              ]
            : [message('No VMs in this subscription', { icon: 'info' })];
        }
        return [...scaleSets.nodes, ...vms.map((vm) => this.vmNode(vm.id))];
      }
    }
  }

  private rootNodes(): ClusterNode[] {
    this.service.ensureStarted();
    const connection = this.service.connection;
    switch (connection.status) {
      case 'idle':
      case 'connecting':
        return [message('Connecting to Azure…', { icon: 'loading~spin' })];
      case 'signedOut':
        // Empty: the view shows its welcome, with the Sign In button.
        return [];
      case 'failed':
        return [
          message(connection.message, {
            icon: 'error',
            color: 'list.errorForeground',
            command: { command: 'azurePytorch.refresh', title: 'Retry' },
          }),
        ];
      case 'signedIn':
        break;
    }
    const state = connection.inventory.state;
    switch (state.status) {
      case 'disconnected':
      case 'loading':
        return [message('Loading subscriptions…', { icon: 'loading~spin' })];
      case 'failed':
        return [problemMessage(state.problem)];
      case 'ready':
        if (state.subscriptions.length === 0) {
          return [
            message('No subscriptions to show', {
              icon: 'info',
              command: { command: 'azurePytorch.selectSubscriptions', title: 'Select Subscriptions' },
              tooltip: 'Check azurePytorch.subscriptions and the tenant (Select Tenant…).',
            }),
          ];
        }
        return state.subscriptions.map((entry) => this.subscriptionNode(entry.subscription.subscriptionId));
    }
  }

  private sshHosts(): SshHostEntry[] {
    return sshHostEntries(readSshConfigAliases(), settings.sshHosts());
  }

  private subscriptionEntry(subscriptionId: string): SubscriptionEntry | undefined {
    const connection = this.service.connection;
    if (connection.status !== 'signedIn' || connection.inventory.state.status !== 'ready') return undefined;
    return connection.inventory.state.subscriptions.find((e) => e.subscription.subscriptionId === subscriptionId);
  }

  /** GPU VMs first, then (when shown) the others; each group by name. */
  private visibleVms(entry: SubscriptionEntry): AzureVm[] {
    if (entry.listing.status !== 'loaded') return [];
    const showAll = settings.showNonGpuVms();
    return entry.listing.vms
      .filter((vm) => showAll || vm.gpus)
      .sort((a, b) => Number(!a.gpus) - Number(!b.gpus) || a.name.localeCompare(b.name));
  }

  private subscriptionNode(subscriptionId: string): ClusterNode {
    let node = this.subscriptionNodes.get(subscriptionId);
    if (!node) {
      node = { kind: 'subscription', subscriptionId };
      this.subscriptionNodes.set(subscriptionId, node);
    }
    return node;
  }

  private sshHostNode(entry: SshHostEntry): SshHostNode {
    const kept = this.sshHostNodes.get(entry.host);
    if (kept?.source === entry.source) return kept;
    const node: SshHostNode = { kind: 'sshHost', host: entry.host, source: entry.source };
    this.sshHostNodes.set(entry.host, node);
    return node;
  }

  private vmNode(vmId: string): VmNode {
    const key = vmId.toLowerCase();
    let node = this.vmNodes.get(key);
    if (!node) {
      node = { kind: 'vm', vmId };
      this.vmNodes.set(key, node);
    }
    return node;
  }
}

/** The Host aliases of ~/.ssh/config (and the files it includes by plain path); none when it is unreadable. */
function readSshConfigAliases(): string[] {
  const sshDir = path.join(os.homedir(), '.ssh');
  const read = (file: string): string | undefined => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const text = read(path.join(sshDir, 'config'));
  if (text === undefined) return [];
  const include = (pattern: string): { path: string; text: string }[] => {
    if (/[*?[]/.test(pattern)) return [];
    const file = path.resolve(sshDir, pattern.replace(/^~(?=\/)/, os.homedir()));
    const included = read(file);
    return included === undefined ? [] : [{ path: file, text: included }];
  };
  return sshConfigAliases(parseSshConfig(text, '~/.ssh/config', include));
}

function subscriptionItem(entry: SubscriptionEntry, visible: number): vscode.TreeItem {
  const { subscription, listing } = entry;
  const item = new vscode.TreeItem(subscription.displayName, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `subscription:${subscription.subscriptionId}`;
  item.iconPath = new vscode.ThemeIcon('azure');
  item.contextValue = 'subscription';
  item.tooltip = `${subscription.displayName}\n${subscription.subscriptionId}`;
  if (listing.status === 'failed') {
    // Stays expandable (its child says what to do), so that it opens again once it lists.
    item.contextValue = 'subscription:error';
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    item.description = listing.problem.message;
    item.tooltip = problemTooltip(listing.problem, `${subscription.displayName} (${subscription.subscriptionId})`);
  } else if (listing.status === 'loaded') {
    item.description = subscriptionDescription(visible, listing.warnings);
    if (listing.warnings.length > 0) {
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.tooltip = `${subscription.displayName}\n${subscription.subscriptionId}\n\n${listing.warnings.join('\n\n')}`;
    }
  }
  return item;
}

function sshHostItem(node: SshHostNode, gpus: SshHostGpuState, load: GpuTelemetry | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(node.host, vscode.TreeItemCollapsibleState.None);
  item.id = `sshHost:${node.host}`;
  const shown = sshHostGpuPresentation(gpus);
  const source = node.source === 'added' ? 'added' : '~/.ssh/config';
  item.description = sshHostDescription(shown.description, source, load);
  const failed = gpus.status === 'failed';
  item.iconPath = new vscode.ThemeIcon(failed ? 'warning' : 'server', failed ? new vscode.ThemeColor('list.warningForeground') : undefined);
  const tooltip = new vscode.MarkdownString(`**`).appendText(node.host).appendMarkdown('**\n\n');
  tooltip
    .appendText(node.source === 'added' ? 'Added with Add SSH Host (azurePytorch.ssh.hosts)' : 'A Host of ~/.ssh/config')
    .appendMarkdown('  \n');
  for (const line of shown.tooltip) tooltip.appendText(line).appendMarkdown('  \n');
  for (const [label, value] of load ? gpuLoadTooltipRows(load) : [])
    tooltip.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  item.tooltip = tooltip;
  if (shown.offersConnect) item.command = { command: 'azurePytorch.readSshHostGpus', title: 'Connect to Read GPUs', arguments: [node] };
  // Only added hosts can be removed here; config hosts are the config file's.
  item.contextValue = node.source === 'added' ? 'sshHost' : 'sshHost:config';
  return item;
}

function vmItem(
  vm: AzureVm,
  pending: Parameters<typeof vmDescription>[1],
  load: GpuTelemetry | undefined,
  extra?: ReturnType<VmAnnotations['annotate']>,
): vscode.TreeItem {
  const item = new vscode.TreeItem(vm.name, vscode.TreeItemCollapsibleState.None);
  item.id = vm.id;
  item.description = [vmDescription(vm, pending, load), ...(pending ? [] : (extra?.description ?? []))].join(' · ');
  item.contextValue = vmContextValue(vm, pending);
  const icon = vmIcon(vm, pending);
  item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
  const tooltip = new vscode.MarkdownString(`**${vm.name}**\n\n`);
  for (const [label, value] of [...vmTooltipRows(vm, pending, load), ...(extra?.tooltipRows ?? [])]) {
    tooltip.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  }
  item.tooltip = tooltip;
  return item;
}

function problemMessage(problem: AzureProblem): ClusterNode {
  const signIn = problem.kind === 'signIn';
  return message(signIn ? `${problem.message} Sign in again.` : problem.message, {
    icon: signIn ? 'sign-in' : 'error',
    color: signIn ? undefined : 'list.errorForeground',
    command: signIn ? { command: 'azurePytorch.signIn', title: 'Sign In to Azure' } : { command: 'azurePytorch.refresh', title: 'Retry' },
    tooltip: problemTooltip(problem),
  });
}

function problemTooltip(problem: AzureProblem, about?: string): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString();
  if (about) tooltip.appendText(about).appendMarkdown('\n\n');
  tooltip.appendText(problem.message).appendMarkdown('\n\n').appendText(problem.advice);
  return tooltip;
}

function message(
  label: string,
  options: { icon?: string; color?: string; command?: vscode.Command; tooltip?: string | vscode.MarkdownString } = {},
): ClusterNode {
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  if (options.icon) item.iconPath = new vscode.ThemeIcon(options.icon, options.color ? new vscode.ThemeColor(options.color) : undefined);
  item.command = options.command;
  item.tooltip = options.tooltip ?? label;
  item.contextValue = 'message';
  return { kind: 'message', item };
}
