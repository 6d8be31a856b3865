import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/**
 * The panel's page: nothing but the bundled script and stylesheet from the extension, allowed by
 * a Content-Security-Policy with a fresh nonce; no inline code, nothing from the network.
 */
export function logPanelHtml(webview: vscode.Webview, scriptUri: vscode.Uri, styleUri: vscode.Uri, codiconsUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const csp = ["default-src 'none'", `style-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join(
    '; ',
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codiconsUri.toString()}">
<link rel="stylesheet" href="${styleUri.toString()}">
<title>Training log</title>
</head>
<body>
<header><span id="title"></span><div id="status" role="status"></div></header>
<div id="failures" hidden role="alert"></div>
<details id="insights" open>
  <summary>Metrics and GPUs</summary>
  <div id="metric-chooser"></div>
  <div id="metrics"><table id="metric-summary" hidden></table><div id="charts"></div></div>
  <div id="gpus"></div>
</details>
<div id="toolbar">
  <input id="search" type="search" placeholder="Search" aria-label="Search the log"
    title="Search the log: Enter for the next match, Shift+Enter for the previous">
  <button id="previous" class="icon-button" title="Previous match (Shift+Enter)"
    aria-label="Previous match"><i class="codicon codicon-arrow-up"></i></button>
  <button id="next" class="icon-button" title="Next match (Enter)"
    aria-label="Next match"><i class="codicon codicon-arrow-down"></i></button>
  <span id="search-info" aria-live="polite"></span>
  <details id="filter" hidden>
    <summary id="filter-summary">Filter</summary>
    <div><div id="filter-nodes"></div><div id="filter-ranks"></div></div>
  </details>
  <span class="spacer-flex"></span>
  <button id="follow" aria-pressed="true"></button>
  <button id="save" title="Save the log to a file"><i class="codicon codicon-save"></i> Save log…</button>
  <button id="open-text" title="Open the log in an editor"><i class="codicon codicon-go-to-file"></i> Open as text</button>
</div>
<div id="log" tabindex="0" aria-label="Training log"></div>
<script nonce="${nonce}" src="${scriptUri.toString()}"></script>
</body>
</html>`;
}
