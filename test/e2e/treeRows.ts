import type { Locator } from 'playwright-core';

/** The row's description (what follows the label), e.g. "2× A100 80GB · eastus · running". */
export async function descriptionOf(row: Locator): Promise<string> {
  return (await row.locator('.label-description').first().innerText()).trim();
}

/**
 * Polls the row's description until it matches `pattern`; returns it. Every distinct description
 * seen on the way is appended to `seen`, which a caller passes to learn what the row went through.
 */
export async function waitForDescription(row: Locator, pattern: RegExp, timeoutMs: number, seen: string[] = []): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await descriptionOf(row).catch(() => '');
    if (last && seen[seen.length - 1] !== last) seen.push(last);
    if (pattern.test(last)) return last;
    await row.page().waitForTimeout(150);
  }
  throw new Error(`the row's description did not match ${pattern} within ${timeoutMs} ms; last: "${last}"; seen: ${JSON.stringify(seen)}`);
}

/**
 * Clicks one of the row's inline actions (shown while the row is hovered). A re-render of the tree
 * (a price or a state arriving) can hide it between the hover and the click, so both are repeated
 * until the click lands.
 */
export async function clickInlineAction(row: Locator, label: string, timeoutMs = 30_000): Promise<void> {
  const action = row.locator(`.action-label[aria-label="${label}"]`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await row.hover({ timeout: timeoutMs });
    try {
      await action.click({ timeout: 2_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}
