import type { Locator, Page } from 'playwright-core';
import { exactText } from './exactText';

/** The row of a file or folder in the Explorer, by its name. */
export function explorerItem(page: Page, name: string): Locator {
  return page.locator('.explorer-folders-view .monaco-list-row', {
    has: page.locator('.label-name', { hasText: exactText(name) }),
  });
}

/** Right-clicks a file in the Explorer and chooses `menuLabel` from its context menu. */
export async function rightClickExplorerItem(page: Page, name: string, menuLabel: string): Promise<void> {
  await rightClick(page, explorerItem(page, name), menuLabel);
}

/**
 * Right-clicks any element (a tree row, an editor) and chooses `menuLabel`. Menus list what was
 * contributed when they opened, so while extensions are still loading the menu is closed and
 * opened again until the item shows.
 */
export async function rightClick(page: Page, target: Locator, menuLabel: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await target.click({ button: 'right', timeout: Math.max(deadline - Date.now(), 1) });
    try {
      await contextMenuItem(page, menuLabel).waitFor({ state: 'visible', timeout: 3_000 });
      break;
    } catch (error) {
      const labels = await contextMenuLabels(page).catch(() => []);
      await page.keyboard.press('Escape');
      if (Date.now() >= deadline) {
        throw new Error(`no context menu item "${menuLabel}" within ${timeoutMs} ms (had: ${labels.join(', ')})`, {
          cause: error,
        });
      }
    }
  }
  await clickContextMenuItem(page, menuLabel);
}

/**
 * Clicks an item of the open context menu. The menu may live in a shadow root, and a plain click
 * can be reported as blocked by `.context-view-block`: clicking the item's centre with the mouse
 * works. A click right after the menu opens is sometimes ignored, so it is repeated while the
 * item stays on screen.
 */
export async function clickContextMenuItem(page: Page, label: string, timeoutMs = 10_000): Promise<void> {
  const item = contextMenuItem(page, label);
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const box = await item.boundingBox();
    if (!box) {
      return; // Gone: the click before took effect.
    }
    // Move first: the menu acts on the item under the pointer, which it tracks by mouse moves.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    if (
      await item.waitFor({ state: 'hidden', timeout: 1_500 }).then(
        () => true,
        () => false,
      )
    ) {
      return;
    }
  }
  throw new Error(`context menu item "${label}" stayed open after clicks for ${timeoutMs} ms`);
}

/** Labels of the open context menu, without separators. */
export async function contextMenuLabels(page: Page): Promise<string[]> {
  await page.locator('.monaco-menu .action-menu-item').first().waitFor({ state: 'visible', timeout: 2_000 });
  return page.locator('.monaco-menu .action-menu-item .action-label').allInnerTexts();
}

export function contextMenuItem(page: Page, label: string): Locator {
  return page
    .locator('.monaco-menu .action-menu-item', {
      has: page.locator('.action-label', { hasText: exactText(label) }),
    })
    .first();
}
