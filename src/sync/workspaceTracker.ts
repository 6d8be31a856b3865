import * as fs from 'node:fs';
import type { IgnoreRuleSet } from './ignoreRules';
import { comparePaths, IGNORE_FILES, TreeWalker, type LocalScan, type ScanOptions } from './localScan';
import type { ExcludedPath, LocalEntry } from './syncEntry';
import { WorkspaceWatcher } from './workspaceWatcher';

/** A local scan and whether it came from the watcher's changes (true) or a full walk (false). */
export interface TrackedScan extends LocalScan {
  readonly incremental: boolean;
}

/**
 * The workspace as the sync sees it, kept current between syncs: the first scan walks everything
 * and watches every synced folder; later ones re-read only the paths the watcher reports changed.
 * Falls back to a full walk when the watcher cannot vouch for its changes, an ignore file changed,
 * or the scan options did.
 */
export class WorkspaceTracker {
  private readonly watcher: WorkspaceWatcher;
  private readonly entries = new Map<string, LocalEntry>();
  private readonly excluded = new Map<string, ExcludedPath>();
  /** Per walked folder, the ignore rules that apply to what it holds. */
  private readonly folderRules = new Map<string, readonly IgnoreRuleSet[]>();
  private walker: TreeWalker | undefined;
  private optionsKey: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the last scan walked everything (for the log). */
  fullScanReason = '';

  constructor(private readonly root: string) {
    this.watcher = new WorkspaceWatcher(fs.realpathSync(root));
  }

  /** One scan at a time: syncs to several machines at once take turns (the later ones are quick). */
  scan(options: ScanOptions): Promise<TrackedScan> {
    const next = this.queue.then(() => this.scanNow(options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async scanNow(options: ScanOptions): Promise<TrackedScan> {
    const optionsKey = JSON.stringify([options.maxFileSizeBytes, options.excludes ?? []]);
    if (this.walker && optionsKey === this.optionsKey) {
      const changed = await this.watcher.settle();
      // A failed update leaves the tracked state half-changed: only a full walk can follow it.
      const updated = changed ? await this.update(changed).catch((error: Error) => error) : false;
      if (updated === true) return this.view(true);
      this.fullScanReason =
        updated instanceof Error
          ? `re-reading changes failed (${updated.message})`
          : changed
            ? 'an ignore file changed'
            : (this.watcher.problem ?? 'changes may have gone unseen');
    } else {
      this.fullScanReason = this.walker ? 'the sync settings changed' : 'first scan';
    }
    // Until the walk completes, nothing here may be taken for the whole workspace.
    this.optionsKey = undefined;
    await this.walkAll(options);
    this.optionsKey = optionsKey;
    return this.view(false);
  }

  dispose(): void {
    this.watcher.dispose();
  }

  private async walkAll(options: ScanOptions): Promise<void> {
    this.watcher.reset();
    this.entries.clear();
    this.excluded.clear();
    this.folderRules.clear();
    this.walker = new TreeWalker(fs.realpathSync(this.root), options, {
      entry: (entry) => this.entries.set(entry.path, entry),
      exclude: (each) => this.excluded.set(each.path, each),
      beforeRead: (folder) => this.watcher.watch(folder),
      rulesOf: (folder, rules) => this.folderRules.set(folder, rules),
    });
    await this.walker.walkFolder('', this.walker.rootRules());
  }

  /** Re-reads the changed paths; false when only a full walk can tell (an ignore file changed). */
  private async update(changed: ReadonlySet<string>): Promise<boolean> {
    // Parents first, so a re-walked folder covers the changes under it.
    const paths = [...changed].sort(comparePaths);
    const rewalked: string[] = [];
    for (const changedPath of paths) {
      if (changedPath === '') return false;
      const slash = changedPath.lastIndexOf('/');
      const parent = slash < 0 ? '' : changedPath.slice(0, slash);
      const name = changedPath.slice(slash + 1);
      const rules = this.folderRules.get(parent);
      // Under a folder the sync does not walk (ignored, or gone): nothing to do.
      if (!rules || rewalked.some((folder) => changedPath.startsWith(`${folder}/`))) continue;
      if (IGNORE_FILES.includes(name)) return false;
      this.forget(changedPath);
      const folder = this.walker!.classify(parent, name, rules);
      if (folder !== undefined) {
        await this.walker!.walkFolder(folder, rules);
        rewalked.push(folder);
      }
    }
    return true;
  }

  /** Drops a path and, when it was a folder, everything under it. */
  private forget(relativePath: string): void {
    const wasFolder = this.folderRules.has(relativePath) || this.excluded.get(relativePath)?.directory === true;
    this.entries.delete(relativePath);
    this.excluded.delete(relativePath);
    if (!wasFolder) return;
    this.watcher.unwatch(relativePath);
    const prefix = `${relativePath}/`;
    for (const map of [this.entries, this.excluded, this.folderRules]) {
      for (const key of map.keys()) if (key.startsWith(prefix)) map.delete(key);
    }
    this.folderRules.delete(relativePath);
  }

  private view(incremental: boolean): TrackedScan {
    const excluded = [...this.excluded.values()].sort((a, b) => comparePaths(a.path, b.path));
    return { entries: [...this.entries.values()], excluded, incremental };
  }
}
