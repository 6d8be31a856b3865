import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { testResultsDir } from './paths';

/** Saves a full-page screenshot as test-results/<name>.png and returns its path; never throws. */
export async function saveScreenshot(page: Page, name: string): Promise<string | undefined> {
  const file = path.join(testResultsDir, `${name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 120)}.png`);
  try {
    fs.mkdirSync(testResultsDir, { recursive: true });
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch (error) {
    console.error(`could not save screenshot ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
