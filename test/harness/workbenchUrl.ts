import type { CodeServer } from './codeServer';

export interface WorkbenchUrlOptions {
  /** Absolute path of the folder to open. */
  readonly folder?: string;
  /** Absolute path of an extension folder to load in development mode (needs the smoke-test driver). */
  readonly extensionDevelopmentPath?: string;
  /** Absolute path of the module whose `run()` runs the tests in the extension host. */
  readonly extensionTestsPath?: string;
}

/** A path on the server as the workbench names it: `vscode-remote://127.0.0.1:PORT/abs/path`. */
export function remoteUri(server: Pick<CodeServer, 'authority'>, absolutePath: string): string {
  return `vscode-remote://${server.authority}${encodeURI(absolutePath)}`;
}

/**
 * The workbench URL. extensionDevelopmentPath and extensionTestsPath travel in the `payload`
 * parameter (a JSON list of pairs), which a built VS Code reads only with the smoke-test driver.
 */
export function workbenchUrl(server: Pick<CodeServer, 'url' | 'authority'>, options: WorkbenchUrlOptions): string {
  const url = new URL(server.url);
  if (options.folder) {
    url.searchParams.set('folder', options.folder);
  }
  const payload: [string, string][] = [];
  if (options.extensionDevelopmentPath) {
    payload.push(['extensionDevelopmentPath', remoteUri(server, options.extensionDevelopmentPath)]);
  }
  if (options.extensionTestsPath) {
    payload.push(['extensionTestsPath', remoteUri(server, options.extensionTestsPath)]);
  }
  if (payload.length > 0) {
    payload.push(['skipWelcome', 'true'], ['skipReleaseNotes', 'true']);
    url.searchParams.set('payload', JSON.stringify(payload));
  }
  return url.toString();
}
