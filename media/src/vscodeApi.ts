import type { PanelState, WebviewMessage } from '../../src/logs/panelMessages';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's only channel to the extension: typed messages, plus the state kept across reloads. */
export const vscode = acquireVsCodeApi();
