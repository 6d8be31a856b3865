import * as vscode from 'vscode';
import type { TargetRef } from '../../../jobs/jobSpec';
import type { SyncProgress } from '../../../sync';
import { availableTargets, needsStart, type TrainingTarget } from '../jobTargets';
import type { CommandServices } from '../../services';

/**
 * Sync Workspace to VM…: brings the workspace folder's copy on a machine up to date (only what
 * changed), with a cancellable progress notification; what was left out and why goes to the output.
 */
export async function syncWorkspace(services: CommandServices, arg?: unknown): Promise<void> {
  const folder = await pickFolder();
  if (!folder) return;
  const target = targetFromArgument(services, arg) ?? (await pickTarget(services));
  if (!target) return;
  if (needsStart(target)) {
    void vscode.window.showWarningMessage(`Azure PyTorch: ${target.ref.label} is not running. Start it first, then sync.`);
    return;
  }
  const ssh = services.jobsConnector.sshTarget(target.ref);
  const remoteDir = `~/.azure-pytorch/ws/${services.workspaceSync.workspaceId(folder.uri)}`;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Syncing ${folder.name} to ${target.ref.label}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      await services.workspaceSync.sync(ssh, folder.uri, [], abort.signal, (update) => {
        const fraction = update.bytesTotal > 0 ? (update.bytesDone / update.bytesTotal) * 100 : 0;
        progress.report({ message: progressMessage(update), increment: Math.max(0, fraction - reported) });
        reported = Math.max(reported, fraction);
      });
    },
  );
  void vscode.window.showInformationMessage(
    `Azure PyTorch: ${folder.name} is synced to ${target.ref.label}:${remoteDir}. The output channel lists what was sent and what was left out.`,
  );
}

function progressMessage(progress: SyncProgress): string {
  switch (progress.phase) {
    case 'scanning':
      return 'Listing files…';
    case 'comparing':
      return 'Comparing with the copy on the machine…';
    case 'removing':
      return `Removing ${progress.filesTotal} deleted files…`;
    case 'uploading':
      return `${progress.filesDone} of ${progress.filesTotal} files, ${megabytes(progress.bytesDone)} of ${megabytes(progress.bytesTotal)}`;
    case 'done':
      return 'Done';
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('Azure PyTorch: open a folder to sync it to a VM.');
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Sync which folder?' });
}

/** A Clusters node (a VM or an SSH host) the command was invoked on. */
function targetFromArgument(services: CommandServices, arg: unknown): TrainingTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: string; host?: string; vmId?: string };
  const targets = availableTargets(services.clustersService);
  const matches = (ref: TargetRef): boolean =>
    node.kind === 'sshHost' ? ref.kind === 'ssh' && ref.id === node.host : ref.kind === 'vm' && ref.id === node.vmId;
  return targets.find((target) => matches(target.ref));
}

async function pickTarget(services: CommandServices): Promise<TrainingTarget | undefined> {
  const targets = availableTargets(services.clustersService);
  if (targets.length === 0) {
    void vscode.window.showErrorMessage(
      'Azure PyTorch: there is no machine to sync to. Sign in to Azure to use your VMs, or add an SSH host.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    targets.map((target) => ({
      label: target.vm ? `$(vm) ${target.vm.name}` : `$(terminal) ${target.ref.label}`,
      description: target.vm ? target.vm.size : 'SSH host',
      target,
    })),
    { title: 'Sync Workspace to VM', placeHolder: 'Sync to which machine?', matchOnDescription: true },
  );
  return picked?.target;
}
