import * as vscode from 'vscode';
import { registerCommands } from './commands/registerCommands';
import { ClustersTreeProvider } from './views/clustersTreeProvider';
import { JobsTreeProvider } from './views/jobsTreeProvider';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Azure PyTorch', { log: true });
  const clusters = new ClustersTreeProvider();
  const jobs = new JobsTreeProvider();
  context.subscriptions.push(
    log,
    clusters,
    jobs,
    vscode.window.createTreeView('azurePytorch.clusters', { treeDataProvider: clusters, showCollapseAll: true }),
    vscode.window.createTreeView('azurePytorch.jobs', { treeDataProvider: jobs }),
  );
  void vscode.commands.executeCommand('setContext', 'azurePytorch.signedIn', false);
  void vscode.commands.executeCommand('setContext', 'azurePytorch.jobsEmpty', true);
  registerCommands({ context, log, clusters, jobs });
}

export function deactivate(): void {}
