import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import { newJobId, type JobSpec } from '../../jobs/jobSpec';
import { launchJob, LaunchCancelled, LaunchError, type LaunchNode } from '../../jobs/launchJob';
import type { LaunchConfiguration } from '../../jobs/launchConfig';
import { needsStart, targetGpus, vmTarget, type TrainingTarget } from './jobTargets';
import type { CommandServices } from '../services';

/** Everything the user chose; the flow does the rest without asking. */
export interface LaunchRequest {
  readonly folder: vscode.WorkspaceFolder;
  /** Relative to the folder, `/`-separated. */
  readonly script: string;
  readonly args: readonly string[];
  readonly targets: readonly TrainingTarget[];
  readonly configuration?: LaunchConfiguration;
}

/**
 * Starts a job under one cancellable progress notification: start the VMs that are not running,
 * connect, check, sync, launch, then open the log panel. Cancel works until the job starts; a
 * failure anywhere leaves nothing of the job running and says what went wrong and what to do.
 * Resolves to the job's spec, or undefined when it did not start.
 */
export async function launchWithProgress(services: CommandServices, request: LaunchRequest): Promise<JobSpec | undefined> {
  const { jobsService } = services;
  const scriptName = request.script.split('/').pop() ?? request.script;
  const where = request.targets.length > 1 ? `${request.targets.length} machines` : request.targets[0]?.ref.label;
  try {
    const launched = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${scriptName} on ${where}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancelling = token.onCancellationRequested(() => controller.abort());
        try {
          const report = (message: string): void => progress.report({ message });
          const requirementsText = await readRequirements(request);
          const targets = await startVms(services, request.targets, report, controller.signal);
          // A VM that was just started may have been resized or reimaged: check it afresh.
          if (request.targets.some(needsStart)) jobsService.preflightCache.clear();
          report(targets.length > 1 ? `Connecting to ${targets.length} machines…` : `Connecting to ${targets[0].ref.label}…`);
          const hosts = await Promise.all(
            targets.map((target) =>
              jobsService.connector.connect(target.ref, controller.signal).catch((error: unknown) => {
                throw new LaunchError(`Could not connect to ${target.ref.label}: ${errorMessage(error)}`);
              }),
            ),
          );
          if (controller.signal.aborted) throw new LaunchCancelled();
          const draft = draftSpec(
            request,
            targets,
            hosts.map((h) => h.address),
            jobsService.connector.workspaceId(request.folder.uri),
          );
          const nodes: LaunchNode[] = targets.map((target, i) => ({
            host: hosts[i],
            expectedGpus: targetGpus(target),
            privateAddress: target.vm?.privateIp,
          }));
          const result = await launchJob(draft, nodes, {
            sync: (host, signal) =>
              jobsService.connector.sync(host, draft, signal, (p) => {
                if (p.phase === 'uploading' && targets.length === 1)
                  report(
                    `Syncing the workspace… ${p.filesDone}/${p.filesTotal} files, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`,
                  );
              }),
            report,
            signal: controller.signal,
            requirementsText,
            preflightCache: jobsService.preflightCache,
          });
          await jobsService.add({ spec: result.spec, state: { kind: 'preparing' }, startedAt: Date.now() });
          return result;
        } finally {
          cancelling.dispose();
        }
      },
    );
    try {
      jobsService.openLogs(launched.spec);
    } catch (error) {
      services.log.warn(`Opening the logs of ${launched.spec.id} failed: ${errorMessage(error)}`);
    }
    for (const warning of launched.warnings) void vscode.window.showWarningMessage(`Azure PyTorch: ${warning}`);
    return launched.spec;
  } catch (error) {
    if (error instanceof LaunchCancelled) {
      void vscode.window.showInformationMessage(`Azure PyTorch: ${error.message}`);
      return undefined;
    }
    services.log.error(`Launching ${request.script} failed`, error);
    void vscode.window.showErrorMessage(`Azure PyTorch: ${scriptName} was not started. ${errorMessage(error)}`);
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function draftSpec(request: LaunchRequest, targets: readonly TrainingTarget[], addresses: readonly string[], workspaceId: string): JobSpec {
  const config = request.configuration;
  const settings = vscode.workspace.getConfiguration('azurePytorch');
  const gpus = targets.map(targetGpus).filter((n): n is number => n !== undefined);
  return {
    id: newJobId(request.script, new Date()),
    configurationName: config?.name,
    script: request.script,
    args: [...request.args],
    env: { ...(config?.env ?? {}) },
    nodes: targets.map((target, i) => ({ target: target.ref, address: addresses[i] })),
    // Every node runs the same number of processes: the smallest GPU count among them.
    nprocPerNode: config?.nprocPerNode ?? Math.max(1, gpus.length ? Math.min(...gpus) : 1),
    python: config?.python ?? settings.get<string>('python', 'python3'),
    requirements: config?.requirements,
    setup: [...(config?.setup ?? [])],
    syncExclude: [...(config?.syncExclude ?? [])],
    outputs: config?.outputs ?? settings.get<string>('outputsFolder', 'outputs'),
    workspaceFolder: request.folder.uri.toString(),
    workspaceId,
    createdAt: new Date().toISOString(),
  };
}

async function readRequirements(request: LaunchRequest): Promise<string | undefined> {
  const file = request.configuration?.requirements;
  if (!file) return undefined;
  const uri = vscode.Uri.joinPath(request.folder.uri, file);
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    throw new LaunchError(
      `The requirements file ${file} of the launch configuration "${request.configuration?.name}" does not exist: create it, or remove "requirements" from the configuration.`,
    );
  }
}

/** Starts the VMs that are deallocated or stopped, in parallel; returns the targets with fresh VM facts (a started VM may have a new IP). */
async function startVms(
  services: CommandServices,
  targets: readonly TrainingTarget[],
  report: (message: string) => void,
  signal: AbortSignal,
): Promise<TrainingTarget[]> {
  const stopped = targets.filter(needsStart);
  if (stopped.length === 0) return [...targets];
  report(`Starting ${stopped.map((t) => t.ref.label).join(', ')}… (a VM takes a minute or two)`);
  return Promise.all(
    targets.map(async (target) => {
      if (!needsStart(target) || !target.vm) return target;
      if (signal.aborted) throw new LaunchCancelled();
      try {
        return vmTarget(await services.clustersService.runAction(target.vm, 'start'));
      } catch (error) {
        throw new LaunchError(
          `${target.ref.label} could not be started: ${errorMessage(error)}. Start it from the Clusters view to see why (quota or capacity in its region, usually), or choose another VM.`,
        );
      }
    }),
  );
}
