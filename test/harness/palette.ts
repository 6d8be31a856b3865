import type { Locator, Page } from 'playwright-core';
import { exactText } from './exactText';

const quickInput = '.quick-input-widget';

/**
 * Runs a command from the palette (F1) by its full title, e.g. `Azure PyTorch: Refresh`.
 * While the workbench starts, the palette can close again on its own (focus moves) and lists only
 * what was contributed when it opened, so every step is retried until `timeoutMs`.
 */
export async function runPaletteCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const entry = await findPaletteEntry(page, title, timeoutMs);
  await entry.click();
  await page.locator(quickInput).waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Opens the palette with `>title` typed and returns the entry whose label is exactly `title`. */
export async function findPaletteEntry(page: Page, title: string, timeoutMs = 30_000): Promise<Locator> {
  const entry = page
    .locator(`${quickInput} .quick-input-list .monaco-list-row`, {
      has: page.locator('.label-name', { hasText: exactText(title) }),
    })
    .first();
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await openPalette(page, `>${title}`, 3_000);
      await entry.waitFor({ state: 'visible', timeout: 3_000 });
      return entry;
    } catch (error) {
      lastError = error;
      await closePalette(page);
    }
  }
  throw new Error(`no palette entry "${title}" within ${timeoutMs} ms`, { cause: lastError });
}

/** Opens the command palette and types `text` (starting with `>` for commands). */
export async function openPalette(page: Page, text: string, timeoutMs = 10_000): Promise<void> {
  const input = page.locator(`${quickInput} input.input`);
  if (!(await input.isVisible())) {
    await page.keyboard.press('F1');
  }
  await input.fill(text, { timeout: timeoutMs });
}

export async function closePalette(page: Page): Promise<void> {
  if (await page.locator(quickInput).isVisible()) {
    await page.keyboard.press('Escape');
  }
}
