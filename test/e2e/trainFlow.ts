import type { Locator, Page } from 'playwright-core';
import { rightClickExplorerItem } from '../harness/contextMenu';
import { openViewContainer, treeItem, viewPane } from '../harness/views';

/** The row of the open quick pick whose label contains `text`. */
export function quickPickRow(page: Page, text: string): Locator {
  return page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: text }) })
    .first();
}

/** Picks the quick pick entry whose label contains `text`. */
export async function pickQuickItem(page: Page, text: string): Promise<void> {
  const row = quickPickRow(page, text);
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
}

/** Explorer → right-click `script` → Train on Azure: the machine pick opens. */
export async function openTrainOnAzure(page: Page, script: string): Promise<void> {
  await page.keyboard.press('Control+Shift+E');
  await rightClickExplorerItem(page, script, 'Train on Azure');
}

export async function waitForArgumentsPrompt(page: Page, script: string, timeoutMs: number): Promise<void> {
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: `arguments for ${script}` })
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Types `args` into the open arguments prompt and submits it. */
export async function submitArguments(page: Page, args: string): Promise<void> {
  const argumentsBox = page.locator('.quick-input-widget input.input');
  await argumentsBox.waitFor({ state: 'visible', timeout: 10_000 });
  await argumentsBox.fill(args);
  await page.keyboard.press('Enter');
}

/** Opens the Azure PyTorch views; returns the newest job row of `script` (the top one) in the Jobs view. */
export async function newestJobRow(page: Page, script: string): Promise<Locator> {
  await openViewContainer(page, 'Azure PyTorch');
  return treeItem(viewPane(page, 'Jobs'), script).first();
}

/** Right-click train.py → Train on Azure → the VM → the arguments; returns the new job's row (the newest, on top). */
export async function trainFromExplorer(page: Page, vm: string, args: string): Promise<Locator> {
  await openTrainOnAzure(page, 'train.py');
  await pickQuickItem(page, vm);
  await waitForArgumentsPrompt(page, 'train.py', 30_000);
  await submitArguments(page, args);
  return newestJobRow(page, 'train.py');
}
