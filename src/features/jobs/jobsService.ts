import * as vscode from 'vscode';
import { Disposable } from '../../common/disposable';
import { errorMessage } from '../../common/errors';
import { field, stringField } from '../../common/fields';
import type { Logger } from '../../common/logger';
import { JobMonitor } from '../../jobs/jobMonitor';
import { cancelJobOnNodes } from '../../jobs/jobProbe';
import type { JobSpec } from '../../jobs/jobSpec';
import { targetsLabel } from '../../jobs/jobSpec';
import { FileKeyValueStorage } from '../../jobs/fileKeyValueStorage';
import { JobStore, type JobRecord } from '../../jobs/jobStore';
import type { PreflightReport } from '../../jobs/preflight';
import { jobDir, jobFiles, jobWorkspaceDir, nodePaths } from '../../jobs/remoteLayout';
import type { JobLogDescription } from '../../logs/jobLogDescription';
import type { MachineConnector } from '../connections/machineConnector';
import { showError, showInformation, showWarning } from '../messages';
import { formatDuration, jobDuration, jobLabel, jobLogTitle } from './jobsPresentation';

/** The log panel feature, as jobs use it. */
export interface JobLogPanels {
  show(job: JobLogDescription): void;
  /** Forgets a job's cached log (its panel closes). */
  forget(jobId: string): Promise<void>;
}

/**
 * The VS Code side of the jobs layer: the job store in global storage, the monitor that keeps
 * active jobs in step with their VMs (re-attached on activation), and the end-of-job notification.
 */
export class JobsService extends Disposable {
  readonly store: JobStore;
  readonly monitor: JobMonitor;
  /** Passed preflights of this session, so a warm launch skips the round trip. */
  readonly preflightCache = new Map<string, PreflightReport>();
  private readonly cancelledHere = new Set<string>();
  constructor(
    context: vscode.ExtensionContext,
    private readonly log: Logger,
    private readonly connector: MachineConnector,
    private readonly logPanels: JobLogPanels,
  ) {
    super();
    this.store = new JobStore(new FileKeyValueStorage(context.globalStorageUri.fsPath, context.globalState));
    this.monitor = new JobMonitor(this.store, {
      connect: (machine, signal) => connector.connectInBackground(machine, signal),
      onEnded: (record) => this.announceEnd(record),
      onUnreachable: (record, error) => log.warn(`Job ${record.spec.id}: ${errorMessage(error)}; trying again`),
    });
    this.register({ dispose: () => this.monitor.dispose() });
  }

  /** Re-attaches to the jobs that were running when the window closed. */
  start(): void {
    this.monitor.watchActive();
  }

  async add(record: JobRecord): Promise<void> {
    await this.store.add(record);
    this.monitor.watch(record.spec.id);
  }

  openLogs(spec: JobSpec): void {
    this.logPanels.show(logDescription(spec));
  }

  /** Takes finished jobs off the list (their files stay on the VMs) and drops their cached logs. */
  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      this.monitor.stop(id);
      await this.store.remove(id);
      await this.logPanels
        .forget(id)
        .catch((error: unknown) => this.log.warn(`Dropping the cached log of ${id} failed: ${errorMessage(error)}`));
    }
  }

  /** Cancels on every node, verifies nothing is left, and records the final state. */
  async cancel(record: JobRecord): Promise<JobRecord | undefined> {
    this.cancelledHere.add(record.spec.id);
    const hosts = await Promise.all(record.spec.nodes.map((node) => this.connector.connect(node.target)));
    await cancelJobOnNodes(record.spec, hosts);
    return this.monitor.refresh(record.spec.id);
  }

  private announceEnd(record: JobRecord): void {
    const name = `${jobLabel(record)} on ${targetsLabel(record.spec)}`;
    const took = formatDuration(jobDuration(record, Date.now()));
    const openLogs = 'Open Logs';
    const act = (choice: string | undefined): void => {
      if (choice === openLogs) void vscode.commands.executeCommand('azurePytorch.openLogs', record.spec.id);
      else if (choice === 'Download Outputs') void vscode.commands.executeCommand('azurePytorch.downloadOutputs', record.spec.id);
      else if (choice === 'Run Again') void vscode.commands.executeCommand('azurePytorch.runAgain', record.spec.id);
    };
    this.log.info(`Job ${record.spec.id} ended: ${JSON.stringify(record.state)}`);
    switch (record.state.kind) {
      case 'succeeded':
        void showInformation(`${name} succeeded in ${took}.`, openLogs, 'Download Outputs').then(act);
        break;
      case 'failed':
        void showError(`${name} failed with exit code ${record.state.exitCode} after ${took}.`, openLogs, 'Run Again').then(act);
        break;
      case 'lost':
        void showWarning(
          `${name} was lost: it stopped without recording an exit code (its VM may have been stopped or restarted).`,
          openLogs,
        ).then(act);
        break;
      case 'cancelled':
        if (!this.cancelledHere.delete(record.spec.id)) void showInformation(`${name} was cancelled after ${took}.`, openLogs).then(act);
        break;
      default:
        break;
    }
  }

  /** The job of a command's argument: a Jobs view item, a job id (from a notification), or undefined. */
  recordFrom(arg: unknown): JobRecord | undefined {
    const id = typeof arg === 'string' ? arg : stringField(field(field(arg, 'record'), 'spec'), 'id');
    return id ? this.store.get(id) : undefined;
  }
}

/** What the log panel follows for a job: every node's log and state files. */
export function logDescription(spec: JobSpec): JobLogDescription {
  const folder = vscode.Uri.parse(spec.workspaceFolder);
  return {
    jobId: spec.id,
    title: jobLogTitle(spec, Date.now()),
    nodes: spec.nodes.map((node, rank) => {
      const paths = nodePaths(spec.id, rank);
      return {
        machine: node.target,
        logPath: paths.log,
        pidPath: paths.pid,
        exitCodePath: paths.exitCode,
        startedPath: paths.started,
        endedPath: paths.ended,
        cancelledPath: `${jobDir(spec.id)}/${jobFiles.cancelled}`,
      };
    }),
    workspace: spec.nodes[0]?.home
      ? { remoteRoot: `${spec.nodes[0].home}/${jobWorkspaceDir(spec.id)}`, localRoot: folder.fsPath }
      : undefined,
  };
}
