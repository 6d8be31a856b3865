import type { Locator, Page } from 'playwright-core';
import { exactText } from './exactText';
import { runPaletteCommand } from './palette';

export interface RunningExtension {
  readonly name: string;
  readonly version: string;
  /** e.g. `Activation: 27ms`; empty while the extension is not activated. */
  readonly activation: string;
  /** Warnings and errors the editor shows for the extension (activation failed, …). */
  readonly problems: readonly string[];
}

const editor = '.runtime-extensions-editor';

/**
 * Reads the extension's row of `Developer: Show Running Extensions`, what the workbench itself
 * reports about the extension host (e.g. that an installed package activated), then closes it.
 */
export async function runningExtension(page: Page, displayName: string): Promise<RunningExtension> {
  await runPaletteCommand(page, 'Developer: Show Running Extensions');
  try {
    const row = page.locator(`${editor} .monaco-list-row`, {
      has: page.locator('.name', { hasText: exactText(displayName) }),
    });
    await scrollIntoList(page, row);
    // allInnerTexts does not wait: a row has no activation time until the extension activates.
    const texts = (selector: string): Promise<string[]> => row.locator(selector).allInnerTexts();
    return {
      name: displayName,
      version: (await texts('.version')).join(' ').trim(),
      activation: (await texts('.activation-time')).join(' ').trim(),
      // Each message is a span; the one with the remote icon only names the server.
      problems: (await texts('.msg > span:not(:has(.codicon-remote))')).map((text) => text.trim()).filter(Boolean),
    };
  } finally {
    await closeRunningExtensions(page);
  }
}

/** The list renders only rows in view: scroll down until `row` is rendered. */
async function scrollIntoList(page: Page, row: Locator, timeoutMs = 15_000): Promise<void> {
  const list = page.locator(`${editor} .monaco-list`).first();
  await list.waitFor({ state: 'visible', timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  while ((await row.count()) === 0) {
    if (Date.now() > deadline) {
      throw new Error(`no row for the extension in Running Extensions within ${timeoutMs} ms`);
    }
    await list.hover();
    await page.mouse.wheel(0, 200);
    await page.waitForTimeout(100);
  }
  await row.scrollIntoViewIfNeeded();
}

async function closeRunningExtensions(page: Page): Promise<void> {
  const opened = page.locator(editor);
  if (await opened.isVisible()) {
    // It opens as a modal editor in recent versions; Escape closes that, Ctrl+W a tab.
    await page.keyboard.press('Escape');
    await opened.waitFor({ state: 'hidden', timeout: 2_000 }).catch(async () => {
      await opened.click();
      await page.keyboard.press('Control+W');
      await opened.waitFor({ state: 'hidden', timeout: 5_000 });
    });
  }
}
