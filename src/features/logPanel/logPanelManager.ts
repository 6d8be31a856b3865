import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../common/disposable';
import { errorMessage } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { MachineRef } from '../../common/machine';
import { restoredJobLogDescription, type JobLogDescription } from '../../logs/jobLogDescription';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';
import type { PanelState } from '../../logs/panelMessages';
import type { RemoteCommandRunner } from '../../logs/remoteCommandRunner';
import { showError } from '../messages';
import { settings } from '../settings';
import { LogPanel } from './logPanel';

export interface LogPanelManagerOptions {
  context: vscode.ExtensionContext;
  log: Logger;
  /** A command runner on a job node's machine, from the SSH layer. */
  connect: (machine: MachineRef) => Promise<RemoteCommandRunner>;
}

/** Latest nvidia-smi reading of a machine, for summaries outside the panel (the Clusters view). */
export interface MachineGpuTelemetry {
  machine: MachineRef;
  reading: GpuTelemetry;
}

/**
 * Opens one log panel per job, brings back the panels of a reloaded window (the webview keeps the
 * job's description in its state) and owns the local log caches.
 */
export class LogPanelManager extends Disposable {
  private readonly panels = new Map<string, LogPanel>();
  private readonly gpuTelemetry = this.register(new vscode.EventEmitter<MachineGpuTelemetry>());
  readonly onGpuTelemetry = this.gpuTelemetry.event;

  constructor(private readonly options: LogPanelManagerOptions) {
    super();
    this.register(
      vscode.window.registerWebviewPanelSerializer(LogPanel.viewType, {
        deserializeWebviewPanel: (panel, state: PanelState | undefined) => {
          if (state?.job) this.attach(panel, restoredJobLogDescription(state.job));
          else panel.dispose();
          return Promise.resolve();
        },
      }),
    );
  }

  /** Shows the panel of `job`, opening it (and following its logs) if it is not open. */
  show(job: JobLogDescription): void {
    const open = this.panels.get(job.jobId);
    if (open) {
      open.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(LogPanel.viewType, job.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
    });
    this.attach(panel, job);
  }

  /** Forgets a job's cached log (when the job is removed from the list). */
  async deleteCache(jobId: string): Promise<void> {
    this.panels.get(jobId)?.dispose();
    await fs.rm(this.cacheDir(jobId), { recursive: true, force: true });
  }

  override dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    this.panels.clear();
    super.dispose();
  }

  private attach(webviewPanel: vscode.WebviewPanel, job: JobLogDescription): void {
    try {
      const seconds = settings.gpuTelemetryIntervalSeconds();
      const panel = new LogPanel(webviewPanel, job, {
        extensionUri: this.options.context.extensionUri,
        cacheDir: this.cacheDir(job.jobId),
        connect: this.options.connect,
        telemetryIntervalMs: Math.max(1, seconds) * 1000,
        log: this.options.log,
        onGpu: (node, reading) => this.gpuTelemetry.fire({ machine: job.nodes[node].machine, reading }),
      });
      this.panels.set(job.jobId, panel);
      panel.onDidClose(() => {
        if (this.panels.get(job.jobId) === panel) this.panels.delete(job.jobId);
      });
    } catch (error) {
      this.options.log.error(`Cannot open the log panel of ${job.jobId}`, error);
      void showError(`cannot open the log of ${job.title}: ${errorMessage(error)}`);
      webviewPanel.dispose();
    }
  }

  private cacheDir(jobId: string): string {
    const safe = jobId.replace(/[^A-Za-z0-9._-]/g, '_');
    return path.join(this.options.context.globalStorageUri.fsPath, 'logs', safe);
  }
}
