import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import { newJobId, type JobSpec } from '../../jobs/jobSpec';
import { launchJob, LaunchError, type LaunchNode } from '../../jobs/launchJob';
import { normalizedWorkspacePath, workspacePathProblem, type LaunchConfiguration } from '../../jobs/launchConfig';
import type { ProcessesChoice } from '../../jobs/processesPerNode';
import { withAbortSignal } from '../cancellation';
import { ActionableError, showWarning } from '../messages';
import { settings } from '../settings';
import { needsStart, targetGpus, vmTrainingTarget, type TrainingTarget } from './jobTargets';
import { detectProcesses } from './scriptProcesses';
import { requireTrustedWorkspace } from './workspaceTrust';
import type { CommandServices } from '../services';

/** Everything the user chose; the flow does the rest without asking. */
export interface LaunchRequest {
  readonly folder: vscode.WorkspaceFolder;
  /** Relative to the folder, `/`-separated. */
  readonly script: string;
  readonly args: readonly string[];
  readonly targets: readonly TrainingTarget[];
  readonly configuration?: LaunchConfiguration;
  /** Processes per node as chosen at launch; else decided from the configuration and the script. */
  readonly processes?: ProcessesChoice;
}

/**
 * Starts a job under one cancellable progress notification: start the VMs that are not running,
 * connect, check, sync, launch, then open the log panel. Cancel works until the job starts; a
 * failure anywhere leaves nothing of the job running and says what went wrong and what to do.
 * Resolves to the job's spec; throws UserCancelledError when cancelled.
 */
export async function launchWithProgress(services: CommandServices, request: LaunchRequest): Promise<JobSpec> {
  requireTrustedWorkspace();
  const { jobsService, connector } = services;
  const scriptName = request.script.split('/').pop() ?? request.script;
  const where = request.targets.length > 1 ? `${request.targets.length} machines` : request.targets[0]?.machine.label;
  const processes =
    request.processes ?? (await detectProcesses(request.folder, request.script, request.targets, request.configuration?.nprocPerNode));
  const launched = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Training ${scriptName} on ${where}`, cancellable: true },
    (progress, token) =>
      withAbortSignal(token, async (signal) => {
        const report = (message: string): void => progress.report({ message });
        const requirementsText = await readRequirements(request);
        const targets = await startVms(services, request.targets, report, signal);
        // A VM that was just started may have been resized or reimaged: check it afresh.
        if (request.targets.some(needsStart)) jobsService.preflightCache.clear();
        report(targets.length > 1 ? `Connecting to ${targets.length} machines…` : `Connecting to ${targets[0].machine.label}…`);
        const hosts = await Promise.all(
          targets.map((target) =>
            connector.connect(target.machine, signal).catch((error: unknown) => {
              throw new LaunchError(`Could not connect to ${target.machine.label}: ${errorMessage(error)}`, { cause: error });
            }),
          ),
        );
        signal.throwIfAborted();
        const draft = draftSpec(
          request,
          processes,
          targets,
          hosts.map((h) => h.address),
          connector.workspaceId(request.folder.uri),
        );
        const nodes: LaunchNode[] = targets.map((target, i) => ({
          host: hosts[i],
          expectedGpus: targetGpus(target),
          privateAddress: target.vm?.privateIp,
        }));
        const result = await launchJob(draft, nodes, {
          report,
          onSyncProgress: (_rank, p) => {
            if (p.phase !== 'uploading' || targets.length > 1) return;
            const bytes = `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`;
            report(`Syncing the workspace… ${p.filesDone}/${p.filesTotal} files, ${bytes}`);
          },
          signal,
          requirementsText,
          preflightCache: jobsService.preflightCache,
        });
        await jobsService.add({ spec: result.spec, state: { kind: 'preparing' }, startedAt: Date.now() });
        return result;
      }),
  );
  try {
    jobsService.openLogs(launched.spec);
  } catch (error) {
    services.log.warn(`Opening the logs of ${launched.spec.id} failed: ${errorMessage(error)}`);
  }
  for (const warning of launched.warnings) void showWarning(warning);
  return launched.spec;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function draftSpec(
  request: LaunchRequest,
  processes: ProcessesChoice,
  targets: readonly TrainingTarget[],
  addresses: readonly string[],
  workspaceId: string,
): JobSpec {
  const config = request.configuration;
  return {
    id: newJobId(request.script, new Date()),
    configurationName: config?.name,
    script: request.script,
    args: [...request.args],
    env: { ...(config?.env ?? {}) },
    nodes: targets.map((target, i) => ({ target: target.machine, address: addresses[i] })),
    nprocPerNode: processes.perNode,
    nprocReason: processes.reason,
    python: config?.python ?? settings.python(),
    requirements: config?.requirements,
    setup: [...(config?.setup ?? [])],
    syncExclude: [...(config?.syncExclude ?? [])],
    outputs: config?.outputs ?? outputsFolderSetting(),
    workspaceFolder: request.folder.uri.toString(),
    workspaceId,
    createdAt: new Date().toISOString(),
  };
}

/** The azurePytorch.outputsFolder setting, held to the same rule as a configuration's `outputs`. */
function outputsFolderSetting(): string {
  const value = settings.outputsFolder();
  const problem = workspacePathProblem(value);
  if (!problem) return normalizedWorkspacePath(value);
  throw new ActionableError(
    `The setting azurePytorch.outputsFolder ${problem}. Set it to a folder inside the workspace, such as "outputs".`,
    [{ title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'azurePytorch.outputsFolder') }],
  );
}

async function readRequirements(request: LaunchRequest): Promise<string | undefined> {
  const file = request.configuration?.requirements;
  if (!file) return undefined;
  const uri = vscode.Uri.joinPath(request.folder.uri, file);
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    throw new LaunchError(
      `The requirements file ${file} of the launch configuration "${request.configuration?.name}" does not exist: ` +
        'create it, or remove "requirements" from the configuration.',
    );
  }
}

/**
 * Starts the VMs that are deallocated or stopped, in parallel; returns the targets with fresh VM
 * facts (a started VM may have a new IP).
 */
async function startVms(
  services: CommandServices,
  targets: readonly TrainingTarget[],
  report: (message: string) => void,
  signal: AbortSignal,
): Promise<TrainingTarget[]> {
  const stopped = targets.filter(needsStart);
  if (stopped.length === 0) return [...targets];
  report(`Starting ${stopped.map((t) => t.machine.label).join(', ')}… (a VM takes a minute or two)`);
  return Promise.all(
    targets.map(async (target) => {
      if (!needsStart(target) || !target.vm) return target;
      signal.throwIfAborted();
      try {
        return vmTrainingTarget(await services.clustersService.runAction(target.vm, 'start'));
      } catch (error) {
        throw new LaunchError(
          `${target.machine.label} could not be started: ${errorMessage(error)}. ` +
            'Start it from the Clusters view to see why (quota or capacity in its region, usually), or choose another VM.',
        );
      }
    }),
  );
}
