import * as fs from 'node:fs';
import type { TrackedChanges } from './changeTracker';
import { sortedScan, type LocalScan } from './localScan';
import type { ExcludedPath, LocalEntry } from './syncEntry';
import { parentOf, WorkspaceWalker, type ScanOptions } from './workspaceWalker';

/**
 * The scan the full walk would give now, computed from the last sync's scan and the paths a
 * watcher reported since: each changed path is looked at again (a new folder is walked whole, a
 * deleted one dropped with everything it held), each folder whose listing changed is read again,
 * and every symlink and unreadable path is looked at again (what they resolve to can change with
 * no event of their own). The ignore files must be unchanged (the tracker sees to it).
 */
export async function updateScan(root: string, baseline: LocalScan, changes: TrackedChanges, options: ScanOptions): Promise<LocalScan> {
  const update = new ScanUpdate(new WorkspaceWalker(fs.realpathSync(root), options), baseline);
  const paths = new Set(changes.paths);
  const folders = new Set(changes.folders);
  // A folder's own stat (its mtime) changes with its listing.
  for (const folder of folders) if (folder !== '') paths.add(folder);
  for (const entry of baseline.entries) if (entry.type === 'symlink') paths.add(entry.path);
  for (const excluded of baseline.excluded) {
    if (excluded.reason.kind === 'symlink-outside' || excluded.reason.kind === 'unreadable') paths.add(excluded.path);
    if (excluded.reason.kind === 'unreadable' && excluded.directory) folders.add(excluded.path);
  }
  for (const path of byDepth(paths)) await update.revisit(path);
  for (const folder of byDepth(folders)) await update.relist(folder);
  return update.result(baseline);
}

class ScanUpdate {
  private readonly entries: Map<string, LocalEntry>;
  private readonly excluded: Map<string, ExcludedPath>;
  private readonly visited = new Set<string>();
  private readonly relisted = new Set<string>();
  /** Folder → the known paths directly in it; built on first need, then kept up to date. */
  private childIndex: Map<string, Set<string>> | undefined;

  constructor(
    private readonly walker: WorkspaceWalker,
    baseline: LocalScan,
  ) {
    this.entries = new Map(baseline.entries.map((entry) => [entry.path, entry]));
    this.excluded = new Map(baseline.excluded.map((excluded) => [excluded.path, excluded]));
  }

  /** Looks at one path again, as the walk of its folder would. */
  async revisit(path: string): Promise<void> {
    if (this.visited.has(path)) return;
    this.visited.add(path);
    const folder = parentOf(path);
    if (!this.isListedFolder(folder)) return; // inside an excluded folder, or gone: its own change covers it
    const wasFolder = this.entries.get(path)?.type === 'dir';
    this.forget(path);
    const isFolder = this.walker.visit(folder, path.slice(folder.length ? folder.length + 1 : 0), this.walker.rulesWithin(folder));
    this.takeWalked();
    if (isFolder && wasFolder) {
      await this.relist(path);
    } else if (wasFolder) {
      this.forgetBelow(path);
    } else if (isFolder) {
      this.relisted.add(path);
      await this.walker.walk(path, this.walker.rulesWithin(folder));
      this.takeWalked();
    }
  }

  /** Reads a folder's listing again: what is gone is dropped, every name is looked at again. */
  async relist(folder: string): Promise<void> {
    if (this.relisted.has(folder) || !(folder === '' || this.entries.get(folder)?.type === 'dir')) return;
    this.relisted.add(folder);
    const prefix = folder ? `${folder}/` : '';
    let names: string[];
    try {
      names = fs.readdirSync(this.walker.absolute(folder));
    } catch (error) {
      this.forgetBelow(folder);
      this.setExcluded({ path: folder, directory: true, reason: { kind: 'unreadable', message: (error as Error).message } });
      return;
    }
    if (this.excluded.get(folder)?.reason.kind === 'unreadable') this.excluded.delete(folder);
    const present = new Set(names.map((name) => prefix + name));
    for (const known of [...this.children(folder)]) {
      if (present.has(known)) continue;
      this.forget(known);
      this.forgetBelow(known);
    }
    for (const path of present) await this.revisit(path);
  }

  /** The updated scan, in the baseline's order when the same paths are there (no sort needed). */
  result(baseline: LocalScan): LocalScan {
    const entries = sameOrder(baseline.entries, this.entries);
    const excluded = sameOrder(baseline.excluded, this.excluded);
    if (entries && excluded) return { entries, excluded };
    return sortedScan([...this.entries.values()], [...this.excluded.values()]);
  }

  /** A folder whose children the scan lists: the root or a synced folder that could be read. */
  private isListedFolder(folder: string): boolean {
    if (this.excluded.get(folder)?.reason.kind === 'unreadable') return false;
    return folder === '' || this.entries.get(folder)?.type === 'dir';
  }

  private takeWalked(): void {
    for (const entry of this.walker.entries.splice(0)) {
      this.entries.set(entry.path, entry);
      if (this.childIndex) this.indexChild(entry.path);
    }
    for (const excluded of this.walker.excluded.splice(0)) this.setExcluded(excluded);
  }

  private setExcluded(excluded: ExcludedPath): void {
    this.excluded.set(excluded.path, excluded);
    if (this.childIndex) this.indexChild(excluded.path);
  }

  private indexChild(path: string): void {
    if (!this.childIndex || path === '') return;
    const siblings = this.childIndex.get(parentOf(path));
    if (siblings) siblings.add(path);
    else this.childIndex.set(parentOf(path), new Set([path]));
  }

  private forget(path: string): void {
    this.entries.delete(path);
    this.excluded.delete(path);
    this.childIndex?.get(parentOf(path))?.delete(path);
  }

  private forgetBelow(folder: string): void {
    for (const child of [...this.children(folder)]) {
      this.forget(child);
      this.forgetBelow(child);
    }
  }

  private children(folder: string): ReadonlySet<string> {
    if (!this.childIndex) {
      this.childIndex = new Map();
      for (const path of [...this.entries.keys(), ...this.excluded.keys()]) this.indexChild(path);
    }
    return this.childIndex.get(folder) ?? new Set();
  }
}

function sameOrder<T extends { readonly path: string }>(before: readonly T[], now: ReadonlyMap<string, T>): T[] | undefined {
  if (before.length !== now.size) return undefined;
  const result: T[] = [];
  for (const item of before) {
    const current = now.get(item.path);
    if (!current) return undefined;
    result.push(current);
  }
  return result;
}

function byDepth(paths: Iterable<string>): string[] {
  const depth = (path: string): number => (path === '' ? 0 : path.split('/').length);
  return [...paths].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
}
