import type { FileChangeKind, FileEventSink, FileEventSource } from './fileEventSource';
import type { LocalScan } from './localScan';
import { IGNORE_FILES, parentOf } from './workspaceWalker';

/** The paths changed since the last sync, for the tracked update of its scan. */
export interface TrackedChanges {
  /** Paths to look at again (each may have been edited, created or deleted). */
  readonly paths: ReadonlySet<string>;
  /** Folders whose listing may have changed (something created, deleted or moved in them). */
  readonly folders: ReadonlySet<string>;
}

/** One sync's use of the tracker: `changes` and `baseline` are set when the tracker can be trusted. */
export interface TrackedRound {
  readonly changes: TrackedChanges | undefined;
  readonly baseline: LocalScan | undefined;
  /** Why a full scan is needed, when it is. */
  readonly fullScanReason: string | undefined;
  /** The sync succeeded with this scan of the local side: it becomes the next round's baseline. */
  complete(scan: LocalScan): void;
}

export interface ChangeTrackerLimits {
  /** Above this many changed paths a full scan is cheaper and safer. */
  readonly maxChangedPaths: number;
  /** A full scan at least this often, in case the watcher silently missed something. */
  readonly maxBaselineAgeMs: number;
}

const DEFAULT_LIMITS: ChangeTrackerLimits = { maxChangedPaths: 2000, maxBaselineAgeMs: 15 * 60_000 };

interface Baseline {
  readonly scan: LocalScan;
  readonly settingsKey: string;
  readonly fullScanAtMs: number;
}

/**
 * Records what changed in one workspace folder since the last successful sync, from a file
 * watcher, so that a re-sync can look at only those paths. A sync takes the changes at its start
 * (`beginRound`); events that arrive while it runs count for the next one. Anything that makes the
 * record doubtful (the watcher lost track, too many changes, an ignore file or the settings
 * changed, a failed sync, an old baseline) makes the next round a full scan.
 */
export class ChangeTracker implements FileEventSink {
  private changedPaths = new Set<string>();
  private changedFolders = new Set<string>();
  private lostReason: string | undefined;
  private stoppedReason: string | undefined;
  private baseline: Baseline | undefined;
  private latestRound = 0;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly source: FileEventSource,
    private readonly limits: ChangeTrackerLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.subscription = source.start(this);
  }

  pathChanged(relativePath: string, kind: FileChangeKind): void {
    const path = relativePath.replace(/^\/+|\/+$/g, '');
    if (this.lostReason !== undefined || path === '') return;
    // Inside a `.git` folder, which is never synced (a `.git` file itself still counts).
    if (path.includes('/.git/') || path.startsWith('.git/')) return;
    this.changedPaths.add(path);
    if (kind !== 'changed') this.changedFolders.add(parentOf(path));
    if (this.changedPaths.size + this.changedFolders.size > this.limits.maxChangedPaths) this.lostTrack(`more than ${this.limits.maxChangedPaths} paths changed`);
  }

  lostTrack(reason: string): void {
    this.lostReason ??= reason;
    this.changedPaths.clear();
    this.changedFolders.clear();
  }

  /** Starts a sync: `settingsKey` names everything besides the files that decides the scan's result. */
  async beginRound(settingsKey: string): Promise<TrackedRound> {
    await this.source.settled();
    const round = ++this.latestRound;
    const paths = this.changedPaths;
    const folders = this.changedFolders;
    const lostReason = this.lostReason;
    const baseline = this.baseline;
    this.changedPaths = new Set();
    this.changedFolders = new Set();
    this.lostReason = undefined;
    // Until this round completes, the next one has no baseline: a failed sync means a full scan.
    this.baseline = undefined;
    const fullScanReason = this.fullScanReason(baseline, settingsKey, lostReason, paths);
    const trusted = fullScanReason === undefined;
    return {
      changes: trusted ? { paths, folders } : undefined,
      baseline: trusted ? baseline!.scan : undefined,
      fullScanReason,
      complete: (scan) => {
        if (round !== this.latestRound) return; // a later round took the changes since
        this.baseline = { scan, settingsKey, fullScanAtMs: trusted ? baseline!.fullScanAtMs : this.now() };
      },
    };
  }

  stopped(reason: string): void {
    this.stoppedReason ??= reason;
    this.lostTrack(reason);
  }

  dispose(): void {
    this.stopped('the tracker was disposed');
    this.subscription.dispose();
  }

  private fullScanReason(baseline: Baseline | undefined, settingsKey: string, lostReason: string | undefined, paths: ReadonlySet<string>): string | undefined {
    if (this.stoppedReason !== undefined) return this.stoppedReason;
    if (lostReason !== undefined) return lostReason;
    if (!baseline) return 'no earlier sync while tracking';
    if (baseline.settingsKey !== settingsKey) return 'the sync settings changed';
    if (this.now() - baseline.fullScanAtMs > this.limits.maxBaselineAgeMs) return 'the last full scan is too old';
    for (const path of paths) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (IGNORE_FILES.includes(name)) return `${path} changed`;
    }
    return undefined;
  }
}
