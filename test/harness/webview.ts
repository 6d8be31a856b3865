import type { FrameLocator, Page } from 'playwright-core';

/**
 * The content of a webview (a panel or a webview view). It is two iframes deep: the outer
 * `iframe.webview` hosts `iframe#active-frame`, which holds the extension's HTML. `index` picks
 * among several open webviews, in document order.
 */
export function webviewContent(page: Page, index = 0): FrameLocator {
  return page.locator('iframe.webview').nth(index).contentFrame().frameLocator('iframe#active-frame');
}
