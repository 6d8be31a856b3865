import * as vscode from 'vscode';
import { Disposable } from '../common/disposable';

/** The Clusters view: Azure subscriptions and their GPU VMs, and the user's SSH hosts. */
export class ClustersTreeProvider extends Disposable implements vscode.TreeDataProvider<vscode.TreeItem> {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.TreeItem | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(): vscode.TreeItem[] {
    return [];
  }
}
