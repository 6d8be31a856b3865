import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorMessage } from '../common/errors';

/**
 * Notes which workspace paths changed, so a re-sync looks at those instead of every file.
 * One non-recursive watch per synced folder, added before the folder is read (so nothing written
 * after the read goes unseen). Only on Linux, where every watch of a process shares one inotify
 * queue that reports in order: `settle()` writes a file in a folder of its own and waits for that
 * event, after which every change made before the call has been reported. Elsewhere, and whenever
 * events may have been lost, it vouches for nothing and the sync scans the whole workspace.
 */
export class WorkspaceWatcher {
  static readonly supported = process.platform === 'linux';

  private readonly watchers = new Map<string, fs.FSWatcher>();
  private changed = new Set<string>();
  /** Why changes may have gone unseen since the last reset. */
  private broken: string | undefined;
  private burst = 0;
  private burstEnding = false;
  private fence: { dir: string; watcher: fs.FSWatcher; next: number; waiting: Map<string, () => void> } | undefined;

  constructor(
    private readonly root: string,
    private readonly limits = { maxFolders: 20_000, maxBurst: Math.floor(inotifyQueueLength() / 2) },
  ) {}

  /** Watches one folder (workspace-relative, '' for the root); call before reading it. */
  watch(relativeDir: string): void {
    if (this.broken) return;
    this.watchers.get(relativeDir)?.close();
    this.watchers.delete(relativeDir);
    if (this.watchers.size >= this.limits.maxFolders) {
      this.break(`more than ${this.limits.maxFolders} folders`);
      return;
    }
    try {
      const watcher = fs.watch(relativeDir ? path.join(this.root, relativeDir) : this.root, { persistent: false }, (_event, name) =>
        this.noteChange(name ? (relativeDir ? `${relativeDir}/${name}` : name) : relativeDir),
      );
      // The folder went away: its parent's watch reports that.
      watcher.on('error', () => this.noteChange(relativeDir));
      this.watchers.set(relativeDir, watcher);
    } catch (error) {
      this.break(`cannot watch ${relativeDir || 'the workspace'}: ${errorMessage(error)}`);
    }
  }

  /** Stops watching a path and every folder under it. */
  unwatch(relativePath: string): void {
    const prefix = `${relativePath}/`;
    for (const [folder, watcher] of this.watchers) {
      if (folder === relativePath || folder.startsWith(prefix) || relativePath === '') {
        watcher.close();
        this.watchers.delete(folder);
      }
    }
  }

  /**
   * The paths changed since the last call, once every change made before this call has been
   * reported; undefined when some may not have been (the caller scans everything and resets).
   */
  async settle(timeoutMs = 2000): Promise<Set<string> | undefined> {
    if (!WorkspaceWatcher.supported || this.broken || this.watchers.size === 0) return undefined;
    if (!(await this.passFence(timeoutMs)) || this.broken) return undefined;
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  /** Why the watcher cannot vouch for changes, for the log. */
  get problem(): string | undefined {
    return this.broken ?? (WorkspaceWatcher.supported ? undefined : `not supported on ${process.platform}`);
  }

  /** Forgets every watch and change: before a full scan, which watches again as it reads. */
  reset(): void {
    this.unwatch('');
    this.changed = new Set();
    this.broken = undefined;
  }

  dispose(): void {
    this.reset();
    if (this.fence) {
      this.fence.watcher.close();
      fs.rmSync(this.fence.dir, { recursive: true, force: true });
      this.fence = undefined;
    }
  }

  private noteChange(relativePath: string): void {
    // One poll of the event loop delivers everything queued: a queue that overflowed (and dropped
    // events, which Node does not report) arrives as one burst of at least its length.
    if (!this.burstEnding) {
      this.burstEnding = true;
      setImmediate(() => {
        this.burst = 0;
        this.burstEnding = false;
      });
    }
    if (++this.burst > this.limits.maxBurst) this.break('too many changes at once');
    this.changed.add(relativePath);
  }

  private break(reason: string): void {
    this.broken ??= reason;
    this.unwatch('');
    this.changed = new Set();
  }

  private async passFence(timeoutMs: number): Promise<boolean> {
    try {
      if (!this.fence) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-pytorch-fence-'));
        const waiting = new Map<string, () => void>();
        const watcher = fs.watch(dir, { persistent: false }, (_event, name) => (name ? waiting.get(name)?.() : undefined));
        this.fence = { dir, watcher, next: 0, waiting };
      }
      const fence = this.fence;
      const name = `fence-${fence.next++}`;
      const passed = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        fence.waiting.set(name, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      fs.writeFileSync(path.join(fence.dir, name), '');
      const ok = await passed;
      fence.waiting.delete(name);
      fs.rmSync(path.join(fence.dir, name), { force: true });
      return ok;
    } catch {
      return false;
    }
  }
}

function inotifyQueueLength(): number {
  try {
    return Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8')) || 16384;
  } catch {
    return 16384;
  }
}
