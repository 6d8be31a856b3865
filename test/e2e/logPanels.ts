import * as assert from 'assert';
import type { FrameLocator, Page } from 'playwright-core';
import { webviewContent } from '../harness/webview';

/** The log panel's webview whose title starts with `script` (the panel names its job's script first). */
export async function logPanel(page: Page, script: string, timeoutMs = 120_000): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await page.locator('iframe.webview').count();
    for (let index = 0; index < count; index++) {
      const content = webviewContent(page, index);
      const title = await content
        .locator('#title')
        .textContent({ timeout: 1_000 })
        .catch(() => '');
      if (title?.startsWith(script)) return content;
    }
    assert.ok(Date.now() < deadline, `no log panel for ${script} opened`);
    await page.waitForTimeout(250);
  }
}
