import * as vscode from 'vscode';
import { Disposable } from '../../common/disposable';
import { isActive } from '../../jobs/jobState';
import type { JobRecord, JobStore } from '../../jobs/jobStore';
import { jobContextValue, jobDescription, jobIcon, jobLabel, jobTooltipRows } from './jobsPresentation';

/** A job in the Jobs view; commands on it receive this item. */
export class JobTreeItem extends vscode.TreeItem {
  constructor(
    readonly record: JobRecord,
    now: number,
  ) {
    super(jobLabel(record), vscode.TreeItemCollapsibleState.None);
    this.id = record.spec.id;
    this.description = jobDescription(record, now);
    this.contextValue = jobContextValue(record);
    const icon = jobIcon(record.state);
    this.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    const tooltip = new vscode.MarkdownString();
    for (const [label, value] of jobTooltipRows(record, now, (ms) => new Date(ms).toLocaleString())) {
      tooltip.appendMarkdown(`**${label}:** `).appendText(value).appendMarkdown('  \n');
    }
    this.tooltip = tooltip;
    this.command = { command: 'azurePytorch.openLogs', title: 'Open Logs', arguments: [this] };
  }
}

/** The Jobs view: the training jobs launched from this machine, newest first. */
export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.TreeItem | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly store: JobStore) {
    super();
    this.register(store.onDidChange(() => this.refresh()));
    this.register({ dispose: () => clearInterval(this.ticker) });
    this.refresh();
  }

  refresh(): void {
    const records = this.store.all();
    void vscode.commands.executeCommand('setContext', 'azurePytorch.jobsEmpty', records.length === 0);
    // Durations of running jobs move on: redraw every few seconds while there are any.
    const anyActive = records.some((r) => isActive(r.state));
    if (anyActive && !this.ticker) this.ticker = setInterval(() => this.changed.fire(undefined), 5000);
    if (!anyActive && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    this.changed.fire(undefined);
  }

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(): vscode.TreeItem[] {
    const now = Date.now();
    return this.store.all().map((record) => new JobTreeItem(record, now));
  }
}
