import * as fs from 'node:fs/promises';
import type { Logger } from '../common/logger';
import type { CompressionMode } from './compressionChoice';
import type { CachedHash } from './contentHash';
import { scanWorkspace, type LocalScan } from './localScan';
import { removeRemote } from './remoteRemoval';
import type { RemoteRunner } from './remoteRunner';
import { readRemoteTree, type RemoteTree } from './remoteTree';
import type { ExcludedPath } from './syncEntry';
import { planAgainst, type Comparison, type ComparisonInput } from './syncComparison';
import type { Removal, SyncPlan } from './syncPlan';
import { progressReporter, type ProgressReport, type SyncProgress } from './syncProgress';
import { recordsAfterSync, recordsEqual } from './syncRecords';
import type { RemoteRecord, RemoteState, SyncStateStore } from './syncState';
import { transferChanges, type Transfer } from './syncTransfer';
import type { WorkspaceTracker } from './workspaceTracker';

export type { RemoteRunner } from './remoteRunner';
export type { SyncPhase, SyncProgress } from './syncProgress';

export interface WorkspaceSyncOptions {
  readonly localRoot: string;
  /** The synced folder on the remote side, relative to the login user's home. */
  readonly remoteDir: string;
  readonly maxFileSizeBytes: number;
  /** Extra gitignore-style patterns (the sync.exclude setting). */
  readonly excludes?: readonly string[];
  readonly state: SyncStateStore;
  /** Keeps the local scan current between syncs of this folder (rescans only what changed). */
  readonly tracker?: WorkspaceTracker;
  /** Names the remote machine and user (e.g. `user@host:port`) in the saved state. */
  readonly targetKey: string;
  /** auto: gzip when the data compresses and the link is slower than gzip. */
  readonly compression?: CompressionMode;
  readonly onProgress?: (progress: SyncProgress) => void;
  readonly signal?: AbortSignal;
  readonly log?: Logger;
}

export interface SyncResult {
  readonly remoteDir: string;
  readonly uploadedFiles: number;
  /** Content bytes of the files sent. */
  readonly uploadedBytes: number;
  /** Bytes that went over the connection for the archive (after compression). */
  readonly transferredBytes: number;
  readonly compressed: boolean;
  readonly removed: readonly Removal[];
  readonly unchanged: number;
  readonly excluded: readonly ExcludedPath[];
  readonly durationMs: number;
  /** How the remote tree was known: listed in full, or the saved records checked for changes since. */
  readonly remoteCheck: 'listing' | 'changes-since-last-sync';
  /** How the local tree was known: a full walk, or the watcher's changes since the last scan. */
  readonly localScan: 'full' | 'changes';
  /** Milliseconds per step, for the log. */
  readonly phases: Readonly<Record<'scan' | 'compare' | 'remove' | 'upload' | 'save', number>>;
}

type Phases = Record<'scan' | 'compare' | 'remove' | 'upload' | 'save', number>;

/**
 * Makes the remote folder hold the workspace (minus what is excluded), sending only what changed
 * by content. The remote tree is known from the last sync's records when it left a checkpoint and
 * nothing the sync owns changed there since (one `find -newerct`, run while the local side is
 * scanned); otherwise it is listed. Files of equal size are compared by hash (hashed on the side
 * that lacks one), what is gone locally is removed, and what changed goes in one tar stream.
 */
export async function syncWorkspace(runner: RemoteRunner, options: WorkspaceSyncOptions): Promise<SyncResult> {
  const started = Date.now();
  const { signal, state, remoteDir } = options;
  const root = await fs.realpath(options.localRoot);
  const remoteKey = `${options.targetKey}\0${remoteDir}\0${root}`;
  const report = progressReporter(options.onProgress);
  report({ phase: 'scanning', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 }, true);

  const phases: Phases = { scan: 0, compare: 0, remove: 0, upload: 0, save: 0 };
  let mark = Date.now();
  const phaseDone = (phase: keyof Phases): void => {
    const now = Date.now();
    phases[phase] = now - mark;
    mark = now;
  };
  const saved = await state.loadRemote(remoteKey);
  const scanOptions = { maxFileSizeBytes: options.maxFileSizeBytes, excludes: options.excludes };
  const remoteTree = readRemoteTree(runner, remoteDir, saved, signal, options.log);
  remoteTree.catch(() => undefined); // awaited below, after the local side
  const [scan, hashCache] = await Promise.all([
    options.tracker ? options.tracker.scan(scanOptions) : scanWorkspace(root, scanOptions),
    state.loadHashes(root),
  ]);
  signal?.throwIfAborted();
  phaseDone('scan');
  const localScan = 'incremental' in scan && scan.incremental ? 'changes' : 'full';
  if (options.tracker && localScan === 'full') options.log?.info(`Scanned the whole workspace: ${options.tracker.fullScanReason}`);

  report({ phase: 'comparing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 }, true);
  const comparing: ComparisonInput = { runner, remoteDir, root, scan, hashCache, signal };
  // Planned against the saved records while the remote side is checked, used if they still hold.
  const planned = saved?.checkpoint
    ? await planAgainst(comparing, { fromRecords: true, entries: saved.records, stamp: '' }, saved.records)
    : undefined;
  const remote = await remoteTree;
  const comparison = remote.fromRecords && planned ? planned : await planAgainst(comparing, remote, saved?.records);
  const hashedLocally = comparison.hashedLocally || (planned?.hashedLocally ?? false);
  phaseDone('compare');

  const { plan } = comparison;
  if (plan.remove.length > 0) {
    report({ phase: 'removing', filesDone: 0, filesTotal: plan.remove.length, bytesDone: 0, bytesTotal: 0 }, true);
    await removeRemote(runner, remoteDir, plan.remove, signal);
  }
  phaseDone('remove');
  const compression = options.compression ?? 'auto';
  const transfer =
    plan.upload.length > 0 ? await transferChanges(runner, plan.upload, { root, remoteDir, compression, report, signal }) : undefined;
  phaseDone('upload');

  const { records, hashesChanged } = settle(scan, hashCache, comparison, remote, transfer, hashedLocally);
  const checkpoint = remote.stamp || undefined;
  await save(state, remoteKey, root, saved, { records, checkpoint }, hashesChanged ? hashCache : undefined);
  phaseDone('save');
  return summarize(plan, transfer, report, {
    remoteDir,
    excluded: scan.excluded,
    durationMs: Date.now() - started,
    remoteCheck: remote.fromRecords ? 'changes-since-last-sync' : 'listing',
    localScan,
    phases,
  });
}

/**
 * What the remote side holds now — the uploads as the transfer saw them written, everything else
 * as the remote tree said — and the hash cache brought up to date: the hashes of the bytes sent
 * remembered, the paths gone locally forgotten.
 */
function settle(
  scan: LocalScan,
  hashCache: Map<string, CachedHash>,
  comparison: Comparison,
  remote: RemoteTree,
  transfer: Transfer | undefined,
  hashedLocally: boolean,
): { records: Map<string, RemoteRecord>; hashesChanged: boolean } {
  const uploaded = new Set(comparison.plan.upload.map((entry) => entry.path));
  const records = recordsAfterSync(scan.entries, uploaded, transfer, remote, comparison.remoteHashes);
  const sent = [...(transfer?.sent.values() ?? [])];
  for (const { entry, hash } of sent) {
    if (hash && records.has(entry.path)) hashCache.set(entry.path, { statKey: entry.statKey, hash, hashedAtMs: Date.now() });
  }
  let hashesChanged = sent.length > 0 || hashedLocally;
  const localPaths = new Set(scan.entries.map((entry) => entry.path));
  for (const file of hashCache.keys()) {
    if (!localPaths.has(file)) {
      hashCache.delete(file);
      hashesChanged = true;
    }
  }
  return { records, hashesChanged };
}

/** Saves the records with their checkpoint (unless unchanged) and the hash cache when given. */
async function save(
  state: SyncStateStore,
  remoteKey: string,
  root: string,
  previous: RemoteState | undefined,
  next: RemoteState,
  hashCache: ReadonlyMap<string, CachedHash> | undefined,
): Promise<void> {
  const unchanged = previous && previous.checkpoint === next.checkpoint && recordsEqual(previous.records, next.records);
  // The store may write in the background: the remote side is done, and lost state is only slower.
  await Promise.all([unchanged ? undefined : state.saveRemote(remoteKey, next), hashCache ? state.saveHashes(root, hashCache) : undefined]);
}

/** Reports the sync done and sums it up. */
function summarize(
  plan: SyncPlan,
  transfer: Transfer | undefined,
  report: ProgressReport,
  rest: Pick<SyncResult, 'remoteDir' | 'excluded' | 'durationMs' | 'remoteCheck' | 'localScan' | 'phases'>,
): SyncResult {
  const uploadFiles = plan.upload.filter((entry) => entry.type === 'file');
  const bytesTotal = uploadFiles.reduce((sum, entry) => sum + entry.size, 0);
  report({ phase: 'done', filesDone: uploadFiles.length, filesTotal: uploadFiles.length, bytesDone: bytesTotal, bytesTotal }, true);
  return {
    ...rest,
    uploadedFiles: uploadFiles.length,
    uploadedBytes: bytesTotal,
    transferredBytes: transfer?.transferredBytes ?? 0,
    compressed: transfer?.compressed ?? false,
    removed: plan.remove,
    unchanged: plan.unchanged,
  };
}
