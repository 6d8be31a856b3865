import type { Locator, Page } from 'playwright-core';
import { exactText } from './exactText';

/** The activity bar entry of a view container, by its title (e.g. `Azure PyTorch`). */
export function activityBarItem(page: Page, title: string): Locator {
  return page.locator(`.part.activitybar .action-item a.action-label[aria-label="${title}"]`);
}

/**
 * Clicks the container's activity bar entry until the side bar shows it. Just after a window reload
 * the workbench may restore the side bar between our look and our click, and a click on the active
 * entry then hides it again: so look again after each click instead of trusting one.
 */
export async function openViewContainer(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const sideBarTitle = page.locator('.part.sidebar .composite.title h2', { hasText: title });
  const deadline = Date.now() + timeoutMs;
  while (!(await sideBarTitle.isVisible())) {
    if (Date.now() > deadline) throw new Error(`The side bar did not show ${title} within ${timeoutMs / 1000} s`);
    await activityBarItem(page, title).click({ timeout: timeoutMs });
    await sideBarTitle.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
  }
}

/** A view (pane) of the side bar, by its name (e.g. `Clusters`). */
export function viewPane(page: Page, name: string): Locator {
  return page.locator('.part.sidebar .pane', {
    has: page.locator(':scope > .pane-header h3.title', { hasText: exactText(name, 'i') }),
  });
}

/** Expands a collapsed view so that its body shows. */
export async function expandViewPane(page: Page, name: string): Promise<Locator> {
  const pane = viewPane(page, name);
  const header = pane.locator(':scope > .pane-header');
  if ((await header.getAttribute('aria-expanded')) !== 'true') {
    await header.click();
  }
  await pane.locator(':scope > .pane-body').waitFor({ state: 'visible' });
  return pane;
}

/** The welcome content (viewsWelcome) a view shows while it has no items. */
export function viewWelcome(pane: Locator): Locator {
  return pane.locator('.welcome-view-content');
}

/** A row of a tree view, by its label. */
export function treeItem(pane: Locator, label: string): Locator {
  return pane.locator('.monaco-list-row', {
    has: pane.page().locator('.label-name', { hasText: exactText(label) }),
  });
}
