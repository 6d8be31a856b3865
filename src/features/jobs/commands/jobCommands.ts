import * as vscode from 'vscode';
import { errorMessage, UserCancelledError } from '../../../common/errors';
import { targetsLabel } from '../../../jobs/jobSpec';
import { isActive } from '../../../jobs/jobState';
import type { JobRecord } from '../../../jobs/jobStore';
import {
  JOB_FOLDER_MISSING,
  listJobFolderCommand,
  localPathOf,
  outputChoices,
  parseJobFolderListing,
  type JobFolderFile,
} from '../../../jobs/jobFolderListing';
import { removeJobDirCommand } from '../../../jobs/remoteCommands';
import { jobDir, jobFiles, jobsDir, workspaceDir } from '../../../jobs/remoteLayout';
import type { SshJobHost } from '../../../jobs/sshJobHost';
import { withAbortSignal } from '../../cancellation';
import { confirm, showInformation, showWarning } from '../../messages';
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
 * Downloads what the job wrote on node 0 (rank 0 writes the outputs) into `<chosen folder>/<job id>/`:
 * a pick list of the job's folder with its outputs folder and every other file the job made or
 * changed in its snapshot (`model.pt` beside the script) selected, and any other file of the folder
 * to pick as well. A second argument (a folder Uri) skips both questions and takes what is selected.
 */
export async function downloadOutputs(services: CommandServices, arg?: unknown, destination?: unknown): Promise<void> {
  const record = requireRecord(services, arg);
  const { spec } = record;
  const node0 = spec.nodes[0];
  const given = destination instanceof vscode.Uri ? destination : undefined;
  const { host, files } = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Listing the files of ${jobLabel(record)} on ${node0.target.label}…`,
      cancellable: true,
    },
    (_progress, token) =>
      withAbortSignal(token, async (signal) => {
        const connected = await services.connector.connect(node0.target, signal);
        const listing = await connected.exec(listJobFolderCommand(spec.id), signal);
        if (listing.exitCode === JOB_FOLDER_MISSING)
          throw new Error(
            `${node0.target.label} no longer has the folder of ${jobLabel(record)} (~/${jobDir(spec.id)}): nothing to download.`,
          );
        if (listing.exitCode !== 0)
          throw new Error(
            `Listing ~/${jobDir(spec.id)} on ${node0.target.label} failed: ${listing.stderr.trim() || `exit ${listing.exitCode}`}`,
          );
        return { host: connected, files: parseJobFolderListing(listing.stdout) };
      }),
  );
  if (!files.some((file) => file.path === jobFiles.snapshotTaken)) return downloadSharedOutputs(services, record, host, given);

  const { offered, others } = outputChoices(files, spec.outputs);
  const chosen = given ? offered : await pickFiles(record, offered, others);
  if (chosen.length === 0)
    throw new Error(`${jobLabel(record)} wrote nothing to download yet: its ${spec.outputs}/ folder is empty and no other file changed.`);
  const parent = given ?? (await chooseDestination(record, `${chosen.length} file${chosen.length === 1 ? '' : 's'}`));
  const local = vscode.Uri.joinPath(parent, spec.id);
  const totalBytes = chosen.reduce((sum, file) => sum + file.size, 0);
  const count = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading from ${node0.target.label}`, cancellable: true },
    (progress, token) =>
      withAbortSignal(token, (signal) => {
        // The archive is the files plus a header or so per file: the share shown is of that.
        const expected = totalBytes + 1024 * chosen.length;
        let shown = 0;
        progress.report({ message: `${chosen.length} files, ${describeBytes(totalBytes)}` });
        return services.connector.downloadFiles(
          host,
          jobDir(spec.id),
          chosen.map((file) => file.path),
          local,
          {
            stripPrefix: `${jobFiles.workspace}/`,
            signal,
            onBytes: (bytes) => {
              const percent = Math.min(100, Math.floor((bytes / expected) * 100));
              if (percent <= shown) return;
              progress.report({ increment: percent - shown, message: `${describeBytes(bytes)} of ${describeBytes(totalBytes)}` });
              shown = percent;
            },
          },
        );
      }),
  );
  await reportDownloaded(count, local);
}

type FileItem = vscode.QuickPickItem & { readonly file?: JobFolderFile };

/** The files to download: what the job wrote selected, the rest of its folder there to pick. */
async function pickFiles(record: JobRecord, offered: readonly JobFolderFile[], others: readonly JobFolderFile[]): Promise<JobFolderFile[]> {
  const item = (file: JobFolderFile, picked: boolean): FileItem => ({
    label: localPathOf(file.path),
    description: describeBytes(file.size),
    picked,
    file,
  });
  const items: FileItem[] = [
    { label: 'Written by the job', kind: vscode.QuickPickItemKind.Separator },
    ...offered.map((file) => item(file, true)),
    { label: "Everything else in the job's folder", kind: vscode.QuickPickItemKind.Separator },
    ...others.map((file) => item(file, false)),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Download from ${jobLabel(record)} on ${record.spec.nodes[0].target.label}`,
    placeHolder: offered.length
      ? `Selected: ${record.spec.outputs}/ and the other files the job wrote. Pick any other file of the job too.`
      : 'The job has written nothing yet: pick any file of its folder.',
    canPickMany: true,
    matchOnDescription: true,
  });
  if (!picked || picked.length === 0) throw new UserCancelledError();
  return picked.flatMap((each) => (each.file ? [each.file] : []));
}

async function chooseDestination(record: JobRecord, what: string): Promise<vscode.Uri> {
  const chosen = await vscode.window.showOpenDialog({
    title: `Download ${what} of ${jobLabel(record)} into…`,
    defaultUri: vscode.Uri.parse(record.spec.workspaceFolder),
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Download Here',
  });
  if (!chosen?.[0]) throw new UserCancelledError();
  return chosen[0];
}

/** A job started before jobs had their own snapshot wrote its outputs into the shared synced workspace. */
async function downloadSharedOutputs(
  services: CommandServices,
  record: JobRecord,
  host: SshJobHost,
  given: vscode.Uri | undefined,
): Promise<void> {
  const { spec } = record;
  const parent = given ?? (await chooseDestination(record, `${spec.outputs}/`));
  const local = vscode.Uri.joinPath(parent, spec.id);
  const count = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Downloading ${spec.outputs}/ from ${spec.nodes[0].target.label}…`,
      cancellable: true,
    },
    (_progress, token) =>
      withAbortSignal(token, (signal) =>
        services.connector.download(host, `${workspaceDir(spec.workspaceId)}/${spec.outputs}`, local, signal),
      ),
  );
  await reportDownloaded(count, local);
}

async function reportDownloaded(count: number, local: vscode.Uri): Promise<void> {
  const reveal = 'Reveal in Explorer';
  const choice = await showInformation(
    `downloaded ${count} file${count === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(local)}.`,
    reveal,
  );
  if (choice === reveal) await vscode.commands.executeCommand('revealInExplorer', local);
}

function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A terminal on node 0, in the job's folder (its run script, logs and exit codes). */
export async function openJobTerminal(services: CommandServices, arg?: unknown): Promise<void> {
  const record = requireRecord(services, arg);
  const node0 = record.spec.nodes[0];
  await services.connector.openTerminal(node0.target, jobDir(record.spec.id), `${jobLabel(record)} · ${node0.target.label}`);
}

/** Removes a finished job from the list, and, when the user says so, its folder from its machines. */
export async function removeJob(services: CommandServices, arg?: unknown): Promise<void> {
  const record = requireRecord(services, arg);
  if (isActive(record.state)) throw new Error(`${jobLabel(record)} is still ${record.state.kind}: cancel it first.`);
  await removeJobs(services, [record]);
}

export async function clearFinishedJobs(services: CommandServices): Promise<void> {
  const finished = services.jobsService.store.all().filter((r) => !isActive(r.state));
  if (finished.length === 0) {
    void showInformation('there is no finished job to clear.');
    return;
  }
  await removeJobs(services, finished);
}

/**
 * Each job keeps its own copy of the workspace (hard links: little space until the workspace
 * changes), its outputs and its logs in its folder on every node. Removing jobs from the list asks
 * whether those folders go too, so they do not pile up on the VM; unreachable machines keep theirs,
 * named in a warning.
 */
async function removeJobs(services: CommandServices, records: readonly JobRecord[]): Promise<void> {
  const what = records.length === 1 ? jobLabel(records[0]) : `${records.length} finished jobs`;
  const deleteFiles = 'Remove and Delete Files on the VM';
  const answer = await confirm(
    `Remove ${what} from the list?`,
    `${records.length === 1 ? 'Its folder' : 'Their folders'} on the VM (~/${jobsDir()}/…) hold${records.length === 1 ? 's' : ''} the job's copy of the workspace, its outputs and its logs. Download what you need first.`,
    deleteFiles,
    'Remove from List Only',
  );
  if (answer === deleteFiles) {
    const failures = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Deleting the files of ${what} on the VM…` },
      () => deleteJobFolders(services, records),
    );
    if (failures.length)
      void showWarning(`some job folders were kept, delete them by hand when the machine is reachable: ${failures.join('; ')}`);
  }
  await services.jobsService.remove(records.map((r) => r.spec.id));
}

/** Deletes each job's folder on each of its machines; resolves to what could not be deleted, and why. */
async function deleteJobFolders(services: CommandServices, records: readonly JobRecord[]): Promise<string[]> {
  const attempts = records.flatMap((record) =>
    record.spec.nodes.map(async (node) => {
      try {
        const host = await services.connector.connect(node.target);
        const result = await host.exec(removeJobDirCommand(record.spec.id));
        if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `exit ${result.exitCode}`);
        return undefined;
      } catch (error) {
        return `~/${jobDir(record.spec.id)} on ${node.target.label} (${errorMessage(error)})`;
      }
    }),
  );
  return (await Promise.all(attempts)).filter((failure): failure is string => failure !== undefined);
}

export const jobCommands = {
  'azurePytorch.openLogs': openLogs,
  'azurePytorch.cancelJob': cancelJob,
  'azurePytorch.downloadOutputs': downloadOutputs,
  'azurePytorch.openJobTerminal': openJobTerminal,
  'azurePytorch.removeJob': removeJob,
  'azurePytorch.clearFinishedJobs': clearFinishedJobs,
};
