import type { Page } from 'playwright-core';

const center = '.notifications-center';
const bell = '.part.statusbar [id="status.notifications"] a';

/**
 * Messages of all notifications so far. With the smoke-test driver, messages can skip the toast
 * and go straight to the notification centre, so the centre is opened and read.
 */
export async function notificationMessages(page: Page): Promise<string[]> {
  if (!(await page.locator(center).isVisible())) {
    await page.locator(bell).click();
    await page.locator(center).waitFor({ state: 'visible', timeout: 5_000 });
  }
  return page.locator(`${center} .notification-list-item-message`).allInnerTexts();
}

/** Waits for a notification whose message matches `pattern`; returns that message. */
export async function waitForNotification(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[];
  do {
    seen = await notificationMessages(page);
    const match = seen.find((message) => pattern.test(message));
    if (match !== undefined) {
      return match;
    }
    await page.waitForTimeout(250);
  } while (Date.now() < deadline);
  throw new Error(`no notification matching ${pattern} within ${timeoutMs} ms; seen: ${JSON.stringify(seen)}`);
}

/** Closes the notification centre if it is open. */
export async function hideNotificationCenter(page: Page): Promise<void> {
  if (await page.locator(center).isVisible()) {
    await page.locator(bell).click();
    await page.locator(center).waitFor({ state: 'hidden', timeout: 5_000 });
  }
}
