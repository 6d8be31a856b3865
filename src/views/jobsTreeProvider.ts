import * as vscode from 'vscode';
import { Disposable } from '../common/disposable';

/** The Jobs view: the training jobs launched from this machine, newest first. */
export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<vscode.TreeItem> {
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
