import type { Page } from 'playwright-core';
import { relayAutomationLog } from './automationLog';
import { launchBrowser } from './browser';
import { startCodeServer } from './codeServer';
import { parseLauncherArgs } from './launcherArgs';
import { saveScreenshot } from './screenshots';
import { workbenchUrl } from './workbenchUrl';

/**
 * Stands in for the VS Code executable given to @vscode/test-electron's `runTests`: starts
 * code-server with the smoke-test driver, opens the workbench in headless Chromium with the tests
 * in the `payload` URL parameter, relays the extension host's output, and exits with the tests'
 * exit code.
 *
 * Environment: VSCODE_TEST_USER_SETTINGS (JSON object of extra user settings),
 * VSCODE_TEST_TIMEOUT_MS (default 600000), VSCODE_TEST_VERBOSE=1 (server and page console output).
 */
async function main(): Promise<number> {
  const args = parseLauncherArgs(process.argv.slice(2));
  const verbose = process.env.VSCODE_TEST_VERBOSE === '1';
  const timeoutMs = Number(process.env.VSCODE_TEST_TIMEOUT_MS ?? 600_000);
  const server = await startCodeServer({
    smokeTestDriver: true,
    settings: parseSettings(process.env.VSCODE_TEST_USER_SETTINGS),
    onOutput: verbose ? (line) => console.log(`[code-server] ${line}`) : undefined,
  });
  const session = await launchBrowser().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  const { page } = session;
  try {
    const { exited } = await exposeAutomationHooks(page, timeoutMs, verbose);
    await page.goto(workbenchUrl(server, args));
    const code = await exited;
    if (code !== 0) {
      const screenshot = await saveScreenshot(page, failureScreenshotName());
      console.error(`Extension tests exited with code ${code}. Screenshot: ${screenshot ?? 'none'}`);
    }
    return code;
  } catch (error) {
    // The run itself broke (timeout, crash): the server's output tells why more often than not.
    const screenshot = await saveScreenshot(page, failureScreenshotName());
    console.error(`The test run broke off: ${error instanceof Error ? error.message : String(error)}. Screenshot: ${screenshot ?? 'none'}`);
    console.error(`code-server output (last lines):\n${server.output().split('\n').slice(-40).join('\n')}`);
    throw error;
  } finally {
    await session.close();
    await server.stop();
  }
}

function failureScreenshotName(): string {
  return `integration-failure-${new Date().toISOString()}`;
}

/** Exposes the smoke-test driver's hooks; the result settles when the tests end. */
async function exposeAutomationHooks(page: Page, timeoutMs: number, verbose: boolean): Promise<{ exited: Promise<number> }> {
  let settle: { resolve(code: number): void; reject(error: Error): void } | undefined;
  const exited = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  const timer = setTimeout(() => settle?.reject(new Error(`tests did not finish within ${timeoutMs} ms`)), timeoutMs);
  void exited.finally(() => clearTimeout(timer)).catch(() => undefined);
  page.on('crash', () => settle?.reject(new Error('the workbench page crashed')));
  if (verbose) {
    page.on('console', (message) => console.log(`[page ${message.type()}] ${message.text()}`));
  }
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => relayAutomationLog(type, args, verbose));
  await page.exposeFunction('codeAutomationExit', (code: number) => settle?.resolve(code));
  // Wrapped: an async function would otherwise wait for `exited` itself.
  return { exited };
}

function parseSettings(json: string | undefined): Record<string, unknown> {
  if (!json) {
    return {};
  }
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('VSCODE_TEST_USER_SETTINGS must be a JSON object');
  }
  return Object.fromEntries(Object.entries(value));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
