import * as vscode from 'vscode';
import { UserCancelledError } from '../../../common/errors';
import { targetsLabel } from '../../../jobs/jobSpec';
import { isActive } from '../../../jobs/jobState';
import type { JobRecord } from '../../../jobs/jobStore';
import { jobDir, workspaceDir } from '../../../jobs/remoteLayout';
import { withAbortSignal } from '../../cancellation';
import { showInformation } from '../../messages';
import { jobLabel } from '../jobsPresentation';
import type { CommandServices } from '../../services';

function requireRecord(services: CommandServices, arg: unknown): JobRecord {
  const record = services.jobsService.recordFrom(arg);
  if (!record) throw new Error('That job is no longer in the Jobs view.');
  return record;
}

export function openLogs(services: CommandServices, arg?: unknown): void {
  services.jobsService.openLogs(requireRecord(services, arg).spec);
}

/** Stops every process of the job on every node, then checks none is left. */
export async function cancelJob(services: CommandServices, arg?: unknown): Promise<void> {
  const record = requireRecord(services, arg);
  if (!isActive(record.state)) {
    void showInformation(`${jobLabel(record)} has already ended.`);
    return;
  }
  const name = `${jobLabel(record)} on ${targetsLabel(record.spec)}`;
  const updated = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cancelling ${name}…` }, () =>
    services.jobsService.cancel(record),
  );
  const alreadyEnded = updated && updated.state.kind !== 'cancelled' ? ` (it had already ended: ${updated.state.kind})` : '';
  void showInformation(
    `${name} was cancelled${alreadyEnded}; no process of it is left on ${record.spec.nodes.length > 1 ? 'any node' : 'the VM'}.`,
  );
}

/**
 * Downloads the job's outputs folder from node 0 (rank 0 writes them) into `<chosen folder>/<job id>/`.
 * A second argument (a folder Uri) skips the folder dialog.
 */
export async function downloadOutputs(services: CommandServices, arg?: unknown, destination?: unknown): Promise<void> {
  const record = requireRecord(services, arg);
  const { spec } = record;
  let parent = destination instanceof vscode.Uri ? destination : undefined;
  if (!parent) {
    const chosen = await vscode.window.showOpenDialog({
      title: `Download ${spec.outputs}/ of ${jobLabel(record)} into…`,
      defaultUri: vscode.Uri.parse(spec.workspaceFolder),
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Download Here',
    });
    parent = chosen?.[0];
  }
  if (!parent) throw new UserCancelledError();
  const local = vscode.Uri.joinPath(parent, spec.id);
  const node0 = spec.nodes[0];
  const count = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Downloading ${spec.outputs}/ from ${node0.target.label}…`,
      cancellable: true,
    },
    (_progress, token) =>
      withAbortSignal(token, async (signal) => {
        const host = await services.connector.connect(node0.target, signal);
        return services.connector.download(host, `${workspaceDir(spec.workspaceId)}/${spec.outputs}`, local, signal);
      }),
  );
  const reveal = 'Reveal in Explorer';
  const choice = await showInformation(
    `downloaded ${count} file${count === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(local)}.`,
    reveal,
  );
  if (choice === reveal) await vscode.commands.executeCommand('revealInExplorer', local);
}

/** A terminal on node 0, in the job's folder (its run script, logs and exit codes). */
export async function openJobTerminal(services: CommandServices, arg?: unknown): Promise<void> {
  const record = requireRecord(services, arg);
  const node0 = record.spec.nodes[0];
  await services.connector.openTerminal(node0.target, jobDir(record.spec.id), `${jobLabel(record)} · ${node0.target.label}`);
}

/** Removes a finished job from the list (its files stay on the VM). */
export async function removeJob(services: CommandServices, arg?: unknown): Promise<void> {
  const record = requireRecord(services, arg);
  if (isActive(record.state)) throw new Error(`${jobLabel(record)} is still ${record.state.kind}: cancel it first.`);
  await services.jobsService.remove([record.spec.id]);
}

export async function clearFinishedJobs(services: CommandServices): Promise<void> {
  const finished = services.jobsService.store.all().filter((r) => !isActive(r.state));
  if (finished.length === 0) {
    void showInformation('there is no finished job to clear.');
    return;
  }
  await services.jobsService.remove(finished.map((r) => r.spec.id));
}

export const jobCommands = {
  'azurePytorch.openLogs': openLogs,
  'azurePytorch.cancelJob': cancelJob,
  'azurePytorch.downloadOutputs': downloadOutputs,
  'azurePytorch.openJobTerminal': openJobTerminal,
  'azurePytorch.removeJob': removeJob,
  'azurePytorch.clearFinishedJobs': clearFinishedJobs,
};
