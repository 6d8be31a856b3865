import * as path from 'path';
import * as vscode from 'vscode';
import type { AzureVm } from '../../azure/virtualMachine';
import { RetailPrices } from '../../azure/retailPrices';
import { Disposable } from '../../common/disposable';
import { describePolicy } from '../../costGuard/policy';
import type { Logger } from '../../common/logger';
import { settings } from '../settings';
import type { CostGuardPolicies, InstalledPolicy } from './costGuardState';
import { statusBarText, statusBarTooltipLines, type VmCost, vmCostParts, vmCostTooltipRows } from './costPresentation';

/** The VMs the Clusters view lists, and when that list changes. */
export interface ListedVms {
  visibleVms(): AzureVm[];
  readonly onDidChange: vscode.Event<unknown>;
}

/** How many jobs of the extension run on a VM, as the job store knows them. */
export type ActiveJobsOn = (vm: AzureVm) => number;

/**
 * Prices of the listed VMs (fetched in the background from the Retail Prices cache of the create
 * flow), what their nodes add to their description and tooltip, and the status bar item while GPU
 * VMs run.
 */
export class CostGuardView extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Fired when a price or a policy arrives: the Clusters view redraws. */
  readonly onDidChange = this.changed.event;
  private readonly prices = new Map<string, { onDemand?: number; spot?: number }>();
  private readonly requested = new Set<string>();
  private readonly statusBar = this.register(vscode.window.createStatusBarItem('azurePytorch.cost', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly vms: ListedVms,
    readonly policies: CostGuardPolicies,
    private readonly storageDir: string,
    private readonly log: Logger,
    private readonly activeJobsOn: ActiveJobsOn,
  ) {
    super();
    this.statusBar.name = 'Azure PyTorch: GPU VM cost';
    this.statusBar.command = 'azurePytorch.clusters.focus';
    this.register(vms.onDidChange(() => this.update()));
    const ticker = setInterval(() => this.updateStatusBar(), 60_000);
    this.register({ dispose: () => clearInterval(ticker) });
    this.update();
  }

  /** The cost facts of a VM as its node and the status bar show them. */
  costOf(vm: AzureVm): VmCost {
    const price = this.prices.get(priceKey(vm.location, vm.size));
    const installed = this.policies.of(vm.id);
    return {
      name: vm.name,
      hourly: vm.spot ? price?.spot : price?.onDemand,
      spot: vm.spot === true,
      ...(installed ? { policy: policyLabel(installed) } : {}),
    };
  }

  /** What the VM node adds: description parts (while it runs) and tooltip rows. */
  annotate(vm: AzureVm): { readonly description: string[]; readonly tooltipRows: Array<[string, string]> } {
    if (vm.status.powerState !== 'running') {
      const installed = this.policies.of(vm.id);
      return { description: [], tooltipRows: installed ? [['Auto-deallocate', policyLabel(installed)]] : [] };
    }
    const cost = this.costOf(vm);
    return { description: vmCostParts(cost, new Date()), tooltipRows: vmCostTooltipRows(cost, new Date()) };
  }

  /** Redraws the nodes and the status bar: a policy or the jobs changed. */
  redraw(): void {
    this.changed.fire();
    this.updateStatusBar();
  }

  private update(): void {
    this.fetchMissingPrices();
    this.updateStatusBar();
  }

  private runningGpuVms(): AzureVm[] {
    return this.vms.visibleVms().filter((vm) => vm.gpus !== undefined && vm.status.powerState === 'running');
  }

  private updateStatusBar(): void {
    const running = this.runningGpuVms().map((vm) => ({ ...this.costOf(vm), activity: activity(this.activeJobsOn(vm)) }));
    const text = statusBarText(running);
    if (!text) {
      this.statusBar.hide();
      return;
    }
    this.statusBar.text = `$(vm-running) ${text}`;
    const tooltip = new vscode.MarkdownString('**Running GPU VMs** (Linux retail prices)\n\n');
    for (const line of statusBarTooltipLines(running, new Date())) tooltip.appendText(line).appendMarkdown('  \n');
    tooltip.appendMarkdown('\nClick to show them in the Clusters view.');
    this.statusBar.tooltip = tooltip;
    this.statusBar.show();
  }

  /** Asks the Retail Prices API (or its day-long cache) once per region for the sizes not priced yet. */
  private fetchMissingPrices(): void {
    const byRegion = new Map<string, string[]>();
    for (const vm of this.vms.visibleVms()) {
      const key = priceKey(vm.location, vm.size);
      if (this.requested.has(key) || vm.status.powerState !== 'running') continue;
      this.requested.add(key);
      byRegion.set(vm.location, [...(byRegion.get(vm.location) ?? []), vm.size]);
    }
    if (byRegion.size === 0) return;
    const api = new RetailPrices({ endpoint: settings.retailPricesEndpoint(), cacheDir: path.join(this.storageDir, 'retail-prices') });
    for (const [region, sizes] of byRegion) {
      void api.pricesFor(region, sizes).then((lookup) => {
        if (!lookup.ok) {
          this.log.warn(`VM prices in ${region}: ${lookup.reason}`);
          for (const size of sizes) this.requested.delete(priceKey(region, size)); // asked again on the next listing
          return;
        }
        for (const [size, price] of lookup.prices) this.prices.set(priceKey(region, size), price);
        this.changed.fire();
        this.updateStatusBar();
      });
    }
  }
}

/** "auto-deallocate after 30 min idle", and " (while VS Code runs)" where the VM may not deallocate itself. */
export function policyLabel(installed: InstalledPolicy): string {
  return `${describePolicy(installed.policy)}${installed.selfDeallocates ? '' : ' (while VS Code runs)'}`;
}

function activity(jobs: number): string {
  if (jobs === 0) return 'no job running';
  return jobs === 1 ? 'training' : `training (${jobs} jobs)`;
}

function priceKey(region: string, size: string): string {
  return `${region.toLowerCase()}/${size.toLowerCase()}`;
}
