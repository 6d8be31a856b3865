import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { BrowserSession, launchBrowser } from './browser';
import { CodeServer, startCodeServer } from './codeServer';
import { installExtension } from './installExtension';
import { saveScreenshot } from './screenshots';
import { waitForWorkbench } from './workbench';
import { workbenchUrl } from './workbenchUrl';

/** Which build of the extension the workbench loads. */
export type ExtensionSource = { readonly kind: 'development'; readonly path: string } | { readonly kind: 'vsix'; readonly path: string };

export interface WorkbenchSessionOptions {
  readonly extension: ExtensionSource;
  /** Folder to open; default: a fresh empty folder, removed on close. */
  readonly folder?: string;
  /** Extra environment for the server and the extension host. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra user settings. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Print the server's output (also on with VSCODE_TEST_VERBOSE=1). */
  readonly verbose?: boolean;
}

/** A code-server with the extension, opened in headless Chromium: what an e2e test drives. */
export interface WorkbenchSession {
  readonly page: Page;
  readonly server: CodeServer;
  readonly browser: BrowserSession;
  readonly folder: string;
  /** Saves test-results/<name>.png. */
  readonly screenshot: (name: string) => Promise<string | undefined>;
  readonly close: () => Promise<void>;
}

export async function openWorkbenchSession(options: WorkbenchSessionOptions): Promise<WorkbenchSession> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-pytorch-e2e-'));
  const folder = options.folder ?? path.join(scratch, 'workspace');
  fs.mkdirSync(folder, { recursive: true });
  const verbose = options.verbose ?? process.env.VSCODE_TEST_VERBOSE === '1';
  const cleanups: (() => Promise<void>)[] = [() => fs.promises.rm(scratch, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup();
    }
  };
  try {
    let extensionsDir: string | undefined;
    if (options.extension.kind === 'vsix') {
      extensionsDir = path.join(scratch, 'extensions');
      await installExtension(options.extension.path, extensionsDir);
    }
    const server = await startCodeServer({
      env: options.env,
      settings: options.settings,
      extensionsDir,
      smokeTestDriver: options.extension.kind === 'development',
      onOutput: verbose ? (line) => console.log(`[code-server] ${line}`) : undefined,
    });
    cleanups.push(() => server.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const extensionDevelopmentPath = options.extension.kind === 'development' ? options.extension.path : undefined;
    await browser.page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath }));
    await waitForWorkbench(browser.page).catch(async (error: unknown) => {
      await saveScreenshot(browser.page, `workbench-did-not-load-${Date.now()}`);
      throw error;
    });
    return {
      page: browser.page,
      server,
      browser,
      folder,
      screenshot: (name) => saveScreenshot(browser.page, name),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
