import * as fs from 'node:fs';
import type { ExcludedPath, LocalEntry } from './syncEntry';
import { WorkspaceWalker, type ScanOptions } from './workspaceWalker';

export { IGNORE_FILES, type ScanOptions } from './workspaceWalker';

export interface LocalScan {
  /** Sorted by path, so every folder comes before what it holds. */
  readonly entries: readonly LocalEntry[];
  /** Sorted by path. */
  readonly excluded: readonly ExcludedPath[];
}

/** Lists the whole workspace as the sync sees it (see WorkspaceWalker for what is left out). */
export async function scanWorkspace(root: string, options: ScanOptions): Promise<LocalScan> {
  const walker = new WorkspaceWalker(fs.realpathSync(root), options);
  await walker.walk('');
  return sortedScan(walker.entries, walker.excluded);
}

export function sortedScan(entries: LocalEntry[], excluded: ExcludedPath[]): LocalScan {
  entries.sort((a, b) => comparePaths(a.path, b.path));
  excluded.sort((a, b) => comparePaths(a.path, b.path));
  return { entries, excluded };
}

/** A stable path order in which a folder comes before everything it holds (a prefix sorts first). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
