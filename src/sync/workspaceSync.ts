import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from '../common/logger';
import type { ExecOptions, ExitStatus, RemoteProcess, SpawnOptions } from '../ssh/sshConnection';
import { compressionRatio, shouldCompress } from './compressionPolicy';
import { cachedHashOf, hashFiles, type CachedHash } from './contentHash';
import { scanWorkspace, type LocalScan } from './localScan';
import type { WorkspaceTracker } from './workspaceTracker';
import { compareStamps, earlier } from './remoteClock';
import { findRemoteDrift } from './remoteDrift';
import { parseRemoteListing, parseRemoteSections, parseSha256sums } from './remoteListing';
import {
  discardInput,
  extractTar,
  fitsOnCommandLine,
  FOLDER_MISSING,
  hashRemoteFiles,
  listChangedSince,
  listRemoteTree,
  removeRemotePaths,
} from './remoteScripts';
import type { ExcludedPath, LocalEntry, RemoteEntry, RemoteView } from './syncEntry';
import { isWithin, pathsToCompare, planSync, type Removal, type SyncPlan } from './syncPlan';
import { recordMatches, type RemoteRecord, type RemoteState, type SyncStateStore } from './syncState';
import { createTarStream, type SentFile } from './tarStream';

/** What the sync needs of a connection (an SshConnection has it). */
export interface RemoteRunner {
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExitStatus>;
  spawn(argv: readonly string[], options?: SpawnOptions): Promise<RemoteProcess>;
}

export type SyncPhase = 'scanning' | 'comparing' | 'removing' | 'uploading' | 'done';

export interface SyncProgress {
  readonly phase: SyncPhase;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

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
  readonly compression?: 'auto' | 'always' | 'never';
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

/** Link throughput measured per connection, to decide on compression without probing again. */
const linkSpeeds = new WeakMap<RemoteRunner, number>();
const PROGRESS_INTERVAL_MS = 100;
// A checkpoint is set this far before the remote clock's reading: file times come from a coarse
// kernel clock that may lag the one `date` reads by a tick.
const CHECKPOINT_MARGIN_MS = 50;

type Phases = Record<'scan' | 'compare' | 'remove' | 'upload' | 'save', number>;

/** What one sync works with, once the local side is scanned. */
interface SyncContext {
  readonly runner: RemoteRunner;
  readonly options: WorkspaceSyncOptions;
  readonly root: string;
  readonly remoteKey: string;
  readonly scan: LocalScan;
  readonly localScan: SyncResult['localScan'];
  readonly hashCache: Map<string, CachedHash>;
  readonly report: (progress: SyncProgress, force?: boolean) => void;
  readonly phaseDone: (phase: keyof Phases) => void;
  readonly phases: Phases;
  readonly started: number;
  /** Set once local files are hashed, so the cache is saved. */
  localHashesChanged: boolean;
}

/**
 * Makes the remote folder hold the workspace (minus what is excluded), sending only what changed
 * by content. The remote tree is known from the last sync's records when it left a checkpoint and
 * nothing the sync owns changed there since (one `find -newerct`, run while the local side is
 * scanned); otherwise it is listed. Files of equal size are compared by hash (hashed on the side
 * that lacks one), what is gone locally is removed, and what changed goes in one tar stream.
 */
export async function syncWorkspace(runner: RemoteRunner, options: WorkspaceSyncOptions): Promise<SyncResult> {
  const started = Date.now();
  const { signal, state } = options;
  const root = await fs.realpath(options.localRoot);
  const remoteKey = `${options.targetKey}\0${options.remoteDir}\0${root}`;
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
  const remoteTree = readRemoteTree(runner, options, saved);
  remoteTree.catch(() => undefined); // awaited below, after the local side
  const [scan, hashCache] = await Promise.all([
    options.tracker ? options.tracker.scan(scanOptions) : scanWorkspace(root, scanOptions),
    state.loadHashes(root),
  ]);
  signal?.throwIfAborted();
  phaseDone('scan');
  const localScan = 'incremental' in scan && scan.incremental ? 'changes' : 'full';
  if (options.tracker && localScan === 'full') options.log?.info(`Scanned the whole workspace: ${options.tracker.fullScanReason}`);
  const context: SyncContext = {
    runner,
    options,
    root,
    remoteKey,
    scan,
    localScan,
    hashCache,
    report,
    phaseDone,
    phases,
    started,
    localHashesChanged: false,
  };

  report({ phase: 'comparing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 }, true);
  // Planned against the saved records while the remote side is checked, used if they still hold.
  const planned = saved?.checkpoint
    ? await planAgainst(context, { entries: saved.records, stamp: '', fromRecords: true }, saved.records)
    : undefined;
  const remote = await remoteTree;
  const { plan, remoteHashes } = remote.fromRecords && planned ? planned : await planAgainst(context, remote, saved?.records);
  phaseDone('compare');

  if (plan.remove.length > 0) {
    report({ phase: 'removing', filesDone: 0, filesTotal: plan.remove.length, bytesDone: 0, bytesTotal: 0 }, true);
    await removeRemote(runner, options.remoteDir, plan.remove, signal);
  }
  phaseDone('remove');
  const transfer = plan.upload.length > 0 ? await transferChanges(context, plan) : undefined;
  phaseDone('upload');
  const before = (file: string): RemoteRecord | undefined => {
    const hash = remoteHashes.get(file);
    if (!remote.fromRecords) return toRecord(remote.entries.get(file) as RemoteEntry | undefined, hash);
    const record = saved!.records.get(file);
    return record && hash && record.hash !== hash ? { ...record, hash } : record;
  };
  return finish(context, plan, transfer, before, remote.stamp, saved, remote.fromRecords ? 'changes-since-last-sync' : 'listing');
}

/** The remote tree as the plan sees it, and the remote clock before it was looked at. */
interface RemoteTree {
  readonly entries: ReadonlyMap<string, RemoteView>;
  readonly stamp: string;
  /** True: the saved records, checked for changes since their checkpoint; false: a listing. */
  readonly fromRecords: boolean;
}

/**
 * The saved records when they still hold (nothing the sync owns changed on the remote side since
 * their checkpoint), else a listing of the whole synced folder.
 */
async function readRemoteTree(runner: RemoteRunner, options: WorkspaceSyncOptions, saved: RemoteState | undefined): Promise<RemoteTree> {
  if (saved?.checkpoint) {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const since = earlier(saved.checkpoint, CHECKPOINT_MARGIN_MS);
    const roots = [...saved.records.keys()].filter((file) => !file.includes('/'));
    const status = await runner.exec(listChangedSince(options.remoteDir, since, fitsOnCommandLine(roots) ? roots : undefined), {
      signal: options.signal,
      onStdout: (chunk) => stdout.push(chunk),
      onStderr: (chunk) => stderr.push(chunk),
    });
    const [changed, folderEntries] = parseRemoteSections(Buffer.concat(stdout));
    let reason: string | undefined;
    if (status.code === FOLDER_MISSING) reason = 'the synced folder is gone';
    else if (status.code !== 0 || !changed?.stamp || !folderEntries)
      reason = `looking for changes failed (${describeStatus(status)}): ${Buffer.concat(stderr).toString('utf8').trim().slice(-300)}`;
    else if (compareStamps(changed.stamp, saved.checkpoint) < 0) reason = 'the remote clock went back since the last sync';
    else reason = findRemoteDrift(saved.records, changed.entries, folderEntries.entries);
    if (!reason) return { entries: saved.records, stamp: changed!.stamp, fromRecords: true };
    options.log?.info(`Listing the synced folder again: ${reason}`);
  }
  const listing = await listRemote(runner, options.remoteDir, options.signal);
  return { ...listing, fromRecords: false };
}

/**
 * The plan against a remote tree: files of equal size on both sides are compared by hash — the
 * local one from the cache while its stat is unchanged, the remote one from the records while they
 * describe the file, else hashed there.
 */
async function planAgainst(
  context: SyncContext,
  remote: RemoteTree,
  records: ReadonlyMap<string, RemoteRecord> | undefined,
): Promise<{ plan: SyncPlan; remoteHashes: Map<string, string> }> {
  const { runner, options, root, scan, hashCache } = context;
  const localHashes = new Map<string, string>();
  const remoteHashes = new Map<string, string>();
  const unhashedLocal: LocalEntry[] = [];
  const unhashedRemote: string[] = [];
  for (const entry of pathsToCompare(scan.entries, remote.entries)) {
    const cached = cachedHashOf(entry, hashCache);
    if (cached) localHashes.set(entry.path, cached);
    else unhashedLocal.push(entry);
    const record = records?.get(entry.path);
    if (record?.hash && (remote.fromRecords || recordMatches(record, remote.entries.get(entry.path) as RemoteEntry)))
      remoteHashes.set(entry.path, record.hash);
    else unhashedRemote.push(entry.path);
  }
  const [freshLocal, freshRemote] = await Promise.all([
    hashFiles(root, unhashedLocal, hashCache),
    hashRemote(runner, options.remoteDir, unhashedRemote, options.signal),
  ]);
  for (const [file, hash] of freshLocal) localHashes.set(file, hash);
  for (const [file, hash] of freshRemote) remoteHashes.set(file, hash);
  if (freshLocal.size > 0) context.localHashesChanged = true;
  const excludedFolders = new Set(scan.excluded.map((excluded) => excluded.path));
  const plan = planSync({
    local: scan.entries,
    remote: remote.entries,
    localHashes,
    remoteHashes,
    previouslySynced: records?.keys() ?? [],
    isExcluded: (file) => isWithin(file, excludedFolders),
  });
  return { plan, remoteHashes };
}

interface RemoteListing {
  /** The remote clock before the walk; '' if the listing did not say. */
  readonly stamp: string;
  readonly entries: Map<string, RemoteEntry>;
}

interface Transfer {
  /** The uploaded paths as the remote side lists them after unpacking. */
  readonly written: ReadonlyMap<string, RemoteEntry>;
  readonly sent: ReadonlyMap<string, SentFile>;
  readonly transferredBytes: number;
  readonly compressed: boolean;
}

/** Sends the plan's uploads as one tar stream to the remote `tar -x`. */
async function transferChanges(context: SyncContext, plan: SyncPlan): Promise<Transfer> {
  const { runner, options, root, report } = context;
  const uploadFiles = plan.upload.filter((entry) => entry.type === 'file');
  const bytesTotal = uploadFiles.reduce((sum, entry) => sum + entry.size, 0);
  const sent = new Map<string, SentFile>();
  const compressed = await decideCompression(runner, root, uploadFiles, bytesTotal, options.compression ?? 'auto', options.signal);
  let filesDone = 0;
  let bytesDone = 0;
  report({ phase: 'uploading', filesDone, filesTotal: uploadFiles.length, bytesDone, bytesTotal }, true);
  const uploadStarted = Date.now();
  const remote = await runner.spawn(
    extractTar(
      options.remoteDir,
      compressed,
      plan.upload.map((entry) => entry.path),
    ),
    { signal: options.signal },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  remote.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  remote.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let transferredBytes = 0;
  const tar = createTarStream({
    root,
    entries: plan.upload,
    onFileSent: (file, bytes) => {
      sent.set(file.entry.path, file);
      filesDone++;
      bytesDone += bytes;
      report({ phase: 'uploading', filesDone, filesTotal: uploadFiles.length, bytesDone, bytesTotal });
    },
  });
  const stages: NodeJS.ReadableStream[] = compressed ? [tar, createGzip({ level: 1 })] : [tar];
  stages[stages.length - 1]!.on('data', (chunk: Buffer) => (transferredBytes += chunk.length));
  const sending = (pipeline as (...streams: unknown[]) => Promise<void>)(...stages, remote.stdin).catch((error: Error) => error);
  const [sendError, status] = await Promise.all([sending, remote.exit]);
  assertSucceeded(status, Buffer.concat(stderr), 'Unpacking the workspace');
  if (sendError) throw sendError;
  const seconds = (Date.now() - uploadStarted) / 1000;
  // An upload's pace is bounded by the remote disk too, so it may raise the estimate, never lower it.
  if (!compressed && transferredBytes >= 4 << 20 && seconds > 0)
    linkSpeeds.set(runner, Math.max(linkSpeeds.get(runner) ?? 0, transferredBytes / seconds));
  return { written: parseRemoteListing(Buffer.concat(stdout)), sent, transferredBytes, compressed };
}

/**
 * Records what the remote side holds now — the uploads as `written` lists them, everything else
 * as `before` says — saves it with a checkpoint at the remote clock's `stamp`, and sums up.
 */
async function finish(
  context: SyncContext,
  plan: SyncPlan,
  transfer: Transfer | undefined,
  before: (file: string) => RemoteRecord | undefined,
  stamp: string,
  previous: RemoteState | undefined,
  remoteCheck: SyncResult['remoteCheck'],
): Promise<SyncResult> {
  const { options, root, scan, hashCache, report, phases } = context;
  const newRecords = new Map<string, RemoteRecord>();
  const uploaded = new Set(plan.upload.map((entry) => entry.path));
  const sent = transfer?.sent ?? new Map<string, SentFile>();
  for (const entry of scan.entries) {
    if (uploaded.has(entry.path)) {
      const after = transfer?.written.get(entry.path);
      const file = sent.get(entry.path);
      if (after && after.type === entry.type && (entry.type !== 'file' || file)) {
        newRecords.set(entry.path, toRecord(after, file?.hash)!);
        if (file?.hash) hashCache.set(entry.path, { statKey: entry.statKey, hash: file.hash, hashedAtMs: Date.now() });
      }
    } else {
      const record = before(entry.path);
      if (record) newRecords.set(entry.path, record);
    }
  }
  const localPaths = new Set(scan.entries.map((entry) => entry.path));
  let hashesChanged = sent.size > 0 || context.localHashesChanged;
  for (const file of hashCache.keys()) {
    if (!localPaths.has(file)) {
      hashCache.delete(file);
      hashesChanged = true;
    }
  }
  const checkpoint = stamp || undefined;
  // The store may write in the background: the remote side is done, and lost state is only slower.
  await Promise.all([
    previous && previous.checkpoint === checkpoint && recordsEqual(previous.records, newRecords)
      ? undefined
      : options.state.saveRemote(context.remoteKey, { records: newRecords, checkpoint }),
    hashesChanged ? options.state.saveHashes(root, hashCache) : undefined,
  ]);
  context.phaseDone('save');

  const uploadFiles = plan.upload.filter((entry) => entry.type === 'file');
  const bytesTotal = uploadFiles.reduce((sum, entry) => sum + entry.size, 0);
  report({ phase: 'done', filesDone: uploadFiles.length, filesTotal: uploadFiles.length, bytesDone: bytesTotal, bytesTotal }, true);
  return {
    remoteDir: options.remoteDir,
    uploadedFiles: uploadFiles.length,
    uploadedBytes: bytesTotal,
    transferredBytes: transfer?.transferredBytes ?? 0,
    compressed: transfer?.compressed ?? false,
    removed: plan.remove,
    unchanged: plan.unchanged,
    excluded: scan.excluded,
    durationMs: Date.now() - context.started,
    remoteCheck,
    localScan: context.localScan,
    phases,
  };
}

function removalArgument(removal: Removal): string {
  return `${{ tree: 'r', file: 'f', dir: 'd' }[removal.kind]}/${removal.path}`;
}

function assertSucceeded(status: ExitStatus, stderr: Buffer, what: string): void {
  if (status.code !== 0)
    throw new Error(`${what} failed on the remote side (${describeStatus(status)}): ${stderr.toString('utf8').trim().slice(-500)}`);
}

function recordsEqual(before: ReadonlyMap<string, RemoteRecord> | undefined, after: ReadonlyMap<string, RemoteRecord>): boolean {
  if (!before || before.size !== after.size) return false;
  for (const [file, record] of after) {
    const old = before.get(file);
    if (
      !old ||
      old.type !== record.type ||
      old.size !== record.size ||
      old.mtime !== record.mtime ||
      old.mode !== record.mode ||
      old.hash !== record.hash ||
      old.ctime !== record.ctime
    )
      return false;
  }
  return true;
}

function toRecord(entry: RemoteEntry | undefined, hash: string | undefined): RemoteRecord | undefined {
  if (!entry || entry.type === 'other') return undefined;
  const { type, size, mtime, mode, ctime } = entry;
  return {
    type,
    size,
    mtime,
    mode,
    ctime,
    ...(type === 'file' && hash ? { hash } : {}),
    ...(type === 'symlink' ? { linkTarget: entry.linkTarget } : {}),
  };
}

async function collect(
  runner: RemoteRunner,
  argv: string[],
  stdin: Buffer | undefined,
  signal: AbortSignal | undefined,
  what: string,
): Promise<Buffer> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const status = await runner.exec(argv, {
    stdin,
    signal,
    onStdout: (chunk) => stdout.push(chunk),
    onStderr: (chunk) => stderr.push(chunk),
  });
  assertSucceeded(status, Buffer.concat(stderr), what);
  return Buffer.concat(stdout);
}

async function listRemote(runner: RemoteRunner, remoteDir: string, signal: AbortSignal | undefined): Promise<RemoteListing> {
  const [listing] = parseRemoteSections(await collect(runner, listRemoteTree(remoteDir), undefined, signal, 'Listing the synced folder'));
  return listing!;
}

async function hashRemote(
  runner: RemoteRunner,
  remoteDir: string,
  files: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  if (files.length === 0) return new Map();
  const stdout: Buffer[] = [];
  // A file that vanished meanwhile makes sha256sum exit 1; the others are still hashed.
  await runner.exec(hashRemoteFiles(remoteDir), {
    stdin: Buffer.from(files.map((file) => `${file}\0`).join('')),
    signal,
    onStdout: (chunk) => stdout.push(chunk),
  });
  return parseSha256sums(Buffer.concat(stdout));
}

async function removeRemote(
  runner: RemoteRunner,
  remoteDir: string,
  removals: readonly Removal[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const stdin = Buffer.from(removals.map((removal) => `${removalArgument(removal)}\0`).join(''));
  await collect(runner, removeRemotePaths(remoteDir), stdin, signal, 'Removing deleted files');
}

async function decideCompression(
  runner: RemoteRunner,
  root: string,
  files: readonly LocalEntry[],
  payloadBytes: number,
  mode: 'auto' | 'always' | 'never',
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (mode !== 'auto') return mode === 'always';
  if (!shouldCompress(payloadBytes, 0, 0)) return false;
  const ratio = compressionRatio(await sampleOf(root, files));
  if (!shouldCompress(payloadBytes, ratio, 0)) return false;
  let speed = linkSpeeds.get(runner);
  if (speed === undefined) {
    speed = await probeLinkSpeed(runner, signal);
    // A busy CPU only ever makes a probe look slower: a slow verdict is checked once more.
    if (shouldCompress(payloadBytes, ratio, speed)) speed = Math.max(speed, await probeLinkSpeed(runner, signal));
    linkSpeeds.set(runner, speed);
  }
  return shouldCompress(payloadBytes, ratio, speed);
}

/** Up to 1 MB taken from the heads of files spread over the upload. */
async function sampleOf(root: string, files: readonly LocalEntry[]): Promise<Buffer> {
  const picks = Array.from(
    { length: Math.min(16, files.length) },
    (_, i) => files[Math.floor((i * files.length) / Math.min(16, files.length))]!,
  );
  const parts = await Promise.all(
    picks.map(async (entry) => {
      const handle = await fs.open(path.join(root, entry.path), 'r').catch(() => undefined);
      if (!handle) return Buffer.alloc(0);
      try {
        const buffer = Buffer.alloc(Math.min(entry.size, 64 << 10));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    }),
  );
  return Buffer.concat(parts);
}

/**
 * Bytes per second of the link: 4 MB of incompressible data sent to `cat > /dev/null`, less the
 * time of the same command sent nothing (the round trips of starting a command).
 */
async function probeLinkSpeed(runner: RemoteRunner, signal: AbortSignal | undefined): Promise<number> {
  const data = randomBytes(4 << 20);
  const time = async (stdin: Buffer): Promise<number> => {
    const started = process.hrtime.bigint();
    await runner.exec(discardInput(), { stdin, signal });
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const overhead = await time(Buffer.alloc(0));
  const total = await time(data);
  return data.length / Math.max(total - overhead, 1e-4);
}

function describeStatus(status: ExitStatus): string {
  return status.signal ? `killed by ${status.signal}` : `exit ${status.code}`;
}

function progressReporter(onProgress: ((progress: SyncProgress) => void) | undefined) {
  let last = 0;
  return (progress: SyncProgress, force = false): void => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    onProgress(progress);
  };
}
