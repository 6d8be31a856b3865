import * as vscode from 'vscode';
import { UserCancelledError } from '../../../common/errors';
import type { MachineRef } from '../../../common/machine';
import { workspaceDir } from '../../../jobs/remoteLayout';
import type { SyncProgress } from '../../../sync/workspaceSync';
import { withAbortSignal } from '../../cancellation';
import { showInformation } from '../../messages';
import { availableTargets, needsStart, type TrainingTarget } from '../jobTargets';
import type { CommandServices } from '../../services';
import { requireTrustedWorkspace } from '../workspaceTrust';

/**
 * Sync Workspace to VM…: brings the workspace folder's copy on a machine up to date (only what
 * changed), with a cancellable progress notification; what was left out and why goes to the output.
 */
export async function syncWorkspace(services: CommandServices, arg?: unknown): Promise<void> {
  requireTrustedWorkspace();
  const folder = await pickFolder();
  const target = targetFromArgument(services, arg) ?? (await pickTarget(services));
  if (needsStart(target)) throw new Error(`${target.machine.label} is not running. Start it first, then sync.`);
  const ssh = await services.connector.resolveSshTargetAsking(target.machine);
  const remoteDir = `~/${workspaceDir(services.workspaceSync.workspaceId(folder.uri))}`;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Syncing ${folder.name} to ${target.machine.label}`, cancellable: true },
    (progress, token) =>
      withAbortSignal(token, async (signal) => {
        let reported = 0;
        await services.workspaceSync.sync(ssh, folder.uri, [], signal, (update) => {
          const fraction = update.bytesTotal > 0 ? (update.bytesDone / update.bytesTotal) * 100 : 0;
          progress.report({ message: progressMessage(update), increment: Math.max(0, fraction - reported) });
          reported = Math.max(reported, fraction);
        });
      }),
  );
  void showInformation(
    `${folder.name} is synced to ${target.machine.label}:${remoteDir}. The output channel lists what was sent and what was left out.`,
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

async function pickFolder(): Promise<vscode.WorkspaceFolder> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new Error('Open a folder to sync it to a VM.');
  if (folders.length === 1) return folders[0];
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Sync which folder?' });
  if (!picked) throw new UserCancelledError();
  return picked;
}

/** A Clusters node (a VM or an SSH host) the command was invoked on. */
function targetFromArgument(services: CommandServices, arg: unknown): TrainingTarget | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as { kind?: string; host?: string; vmId?: string };
  const targets = availableTargets(services.clustersService);
  const matches = (machine: MachineRef): boolean =>
    node.kind === 'sshHost' ? machine.kind === 'ssh' && machine.id === node.host : machine.kind === 'vm' && machine.id === node.vmId;
  return targets.find((target) => matches(target.machine));
}

async function pickTarget(services: CommandServices): Promise<TrainingTarget> {
  const targets = availableTargets(services.clustersService);
  if (targets.length === 0) throw new Error('There is no machine to sync to. Sign in to Azure to use your VMs, or add an SSH host.');
  const picked = await vscode.window.showQuickPick(
    targets.map((target) => ({
      label: target.vm ? `$(vm) ${target.vm.name}` : `$(terminal) ${target.machine.label}`,
      description: target.vm ? target.vm.size : 'SSH host',
      target,
    })),
    { title: 'Sync Workspace to VM', placeHolder: 'Sync to which machine?', matchOnDescription: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.target;
}
