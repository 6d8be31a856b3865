import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../common/disposable';
import { errorMessage } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { MachineRef } from '../../common/machine';
import type { JobLogDescription } from '../../logs/jobLogDescription';
import { JobLogSession } from '../../logs/jobLogSession';
import { exportLog } from '../../logs/logExport';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';
import type { WebviewMessage } from '../../logs/panelMessages';
import type { RemoteCommandRunner } from '../../logs/remoteCommandRunner';
import { showError, showInformation, showWarning } from '../messages';
import { LogPanelController } from './logPanelController';
import { logPanelHtml } from './logPanelHtml';

export interface LogPanelDependencies {
  extensionUri: vscode.Uri;
  /** Folder for this job's cached log (survives reloads). */
  cacheDir: string;
  connect: (machine: MachineRef) => Promise<RemoteCommandRunner>;
  telemetryIntervalMs: number;
  log: Logger;
  onGpu?: (node: number, reading: GpuTelemetry) => void;
}

/** One job's log panel: the webview, its controller and the VS Code actions it asks for. */
export class LogPanel extends Disposable {
  static readonly viewType = 'azurePytorch.logPanel';
  private readonly controller: LogPanelController;
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly job: JobLogDescription,
    private readonly deps: LogPanelDependencies,
  ) {
    super();
    const webviewRoot = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webview');
    const mediaRoot = vscode.Uri.joinPath(deps.extensionUri, 'media');
    panel.title = job.title;
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot, mediaRoot] };
    panel.webview.html = logPanelHtml(
      panel.webview,
      panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'logPanel.js')),
      panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'logPanel.css')),
      panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'codicon.css')),
    );
    let gpuListener = deps.onGpu;
    this.controller = new LogPanelController(
      (listener) =>
        new JobLogSession(
          job,
          { cacheDir: deps.cacheDir, connect: deps.connect, telemetryIntervalMs: deps.telemetryIntervalMs },
          {
            onLines: (lines) => listener.onLines(lines),
            onPending: (node) => listener.onPending(node),
            onStatus: () => listener.onStatus(),
            onFailure: (failure) => listener.onFailure(failure),
            onGpu: (node, reading) => {
              listener.onGpu(node, reading);
              gpuListener?.(node, reading);
            },
            onDiagnostic: (node, message) => deps.log.trace(`log follower ${job.jobId} node ${node}: ${message}`),
          },
        ),
      {
        post: (message) => void panel.webview.postMessage(message),
        openSource: (file, line) => void this.openSource(file, line),
        saveLog: () => void this.saveLog(),
        openAsText: () => void this.openAsText(),
        notifyFailure: (message, reveal) => void this.notifyFailure(message, reveal),
      },
    );
    this.register({ dispose: () => this.controller.dispose() });
    this.register({ dispose: () => (gpuListener = undefined) });
    this.register(panel.webview.onDidReceiveMessage((message: WebviewMessage) => this.handle(message)));
    this.register(
      panel.onDidDispose(() => {
        this.closed.fire();
        this.dispose();
      }),
    );
    this.register(this.closed);
  }

  reveal(): void {
    this.panel.reveal();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
  }

  private handle(message: WebviewMessage): void {
    try {
      this.controller.handle(message);
    } catch (error) {
      this.deps.log.error(`Log panel ${this.job.jobId}: ${message.type} failed`, error);
    }
  }

  private async openSource(file: string, line: number): Promise<void> {
    const uri = vscode.Uri.file(file);
    if (!vscode.workspace.getWorkspaceFolder(uri)) {
      void showWarning(
        `not opening ${file}: it is outside the workspace folders. Open the job's workspace folder to follow its traceback links.`,
      );
      return;
    }
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const position = new vscode.Position(Math.max(0, line - 1), 0);
      await vscode.window.showTextDocument(document, {
        viewColumn: vscode.ViewColumn.One,
        selection: new vscode.Range(position, position),
      });
    } catch (error) {
      void showWarning(`cannot open ${file}: ${errorMessage(error)}`);
    }
  }

  private async saveLog(): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', `${this.job.jobId}.log`)),
      filters: { 'Log files': ['log', 'txt'] },
      title: 'Save Training Log',
    });
    if (!target) return;
    this.export(target.fsPath);
    void showInformation(`log saved to ${target.fsPath}`);
  }

  private async openAsText(): Promise<void> {
    const file = path.join(this.deps.cacheDir, 'merged.log');
    this.export(file);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.languages.setTextDocumentLanguage(document, 'pytorch-log');
    await vscode.window.showTextDocument(document, { preview: false });
  }

  private export(file: string): void {
    const session = this.controller.session;
    exportLog(
      session.store,
      this.job.nodes.map((node) => node.machine.label),
      file,
    );
  }

  private async notifyFailure(message: string, reveal: () => void): Promise<void> {
    const choice = await showError(`${this.job.title}: ${message}`, 'Show in Log');
    if (choice === 'Show in Log') {
      this.panel.reveal();
      reveal();
    }
  }
}
