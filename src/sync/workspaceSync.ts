import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from '../common/logger';
import type { ExecOptions, ExitStatus, RemoteProcess, SpawnOptions } from '../ssh/sshConnection';
import { compressionRatio, shouldCompress } from './compressionPolicy';
import { cachedHashOf, hashFiles, type CachedHash } from './contentHash';
import { scanWorkspace } from './localScan';
import { parseRemoteListing, parseSha256sums } from './remoteListing';
import { discardInput, extractTar, hashRemoteFiles, listRemoteTree, removeRemotePaths } from './remoteScripts';
import type { ExcludedPath, LocalEntry, RemoteEntry } from './syncEntry';
import { isWithin, pathsToCompare, planSync, type Removal } from './syncPlan';
import { recordMatches, type RemoteRecord, type SyncStateStore } from './syncState';
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
  /** Milliseconds per step, for the log. */
  readonly phases: Readonly<Record<'scan' | 'compare' | 'remove' | 'upload' | 'save', number>>;
}

/** Link throughput measured per connection, to decide on compression without probing again. */
const linkSpeeds = new WeakMap<RemoteRunner, number>();
const PROGRESS_INTERVAL_MS = 100;

/**
 * Makes the remote folder hold the workspace (minus what is excluded), sending only what changed
 * by content: list the remote tree (one exec), compare with the last sync's records and the local
 * scan, hash only files whose size matches but whose hash is not known, remove what is gone
 * locally, then send one tar stream over one exec channel.
 */
export async function syncWorkspace(runner: RemoteRunner, options: WorkspaceSyncOptions): Promise<SyncResult> {
  const started = Date.now();
  const { signal, state } = options;
  const root = await fs.realpath(options.localRoot);
  const remoteKey = `${options.targetKey}\0${options.remoteDir}\0${root}`;
  const report = progressReporter(options.onProgress);
  report({ phase: 'scanning', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 }, true);

  const phases = { scan: 0, compare: 0, remove: 0, upload: 0, save: 0 };
  let mark = Date.now();
  const phaseDone = (phase: keyof typeof phases): void => {
    const now = Date.now();
    phases[phase] = now - mark;
    mark = now;
  };
  const [scan, remote, records, hashCache] = await Promise.all([
    scanWorkspace(root, { maxFileSizeBytes: options.maxFileSizeBytes, excludes: options.excludes }),
    listRemote(runner, options.remoteDir, signal),
    state.loadRemote(remoteKey),
    state.loadHashes(root),
  ]);
  signal?.throwIfAborted();
  phaseDone('scan');

  report({ phase: 'comparing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 }, true);
  const toCompare = pathsToCompare(scan.entries, remote);
  const remoteHashes = new Map<string, string>();
  const localHashes = new Map<string, string>();
  const unhashedLocal: LocalEntry[] = [];
  const unhashedRemote: string[] = [];
  for (const entry of toCompare) {
    const record = records?.get(entry.path);
    if (recordMatches(record, remote.get(entry.path)!) && record.hash) remoteHashes.set(entry.path, record.hash);
    else unhashedRemote.push(entry.path);
    const cached = cachedHashOf(entry, hashCache);
    if (cached) localHashes.set(entry.path, cached);
    else unhashedLocal.push(entry);
  }
  const [freshLocal, freshRemote] = await Promise.all([
    hashFiles(root, unhashedLocal, hashCache),
    hashRemote(runner, options.remoteDir, unhashedRemote, signal),
  ]);
  for (const [file, hash] of freshLocal) localHashes.set(file, hash);
  for (const [file, hash] of freshRemote) remoteHashes.set(file, hash);

  const excludedFolders = new Set(scan.excluded.map((excluded) => excluded.path));
  const plan = planSync({
    local: scan.entries,
    remote,
    localHashes,
    remoteHashes,
    previouslySynced: new Set(records?.keys() ?? []),
    isExcluded: (file) => isWithin(file, excludedFolders),
  });

  phaseDone('compare');
  if (plan.remove.length > 0) {
    report({ phase: 'removing', filesDone: 0, filesTotal: plan.remove.length, bytesDone: 0, bytesTotal: 0 }, true);
    await removeRemote(runner, options.remoteDir, plan.remove, signal);
  }

  phaseDone('remove');
  const sent = new Map<string, SentFile>();
  let changedListing = new Map<string, RemoteEntry>();
  let transferredBytes = 0;
  let compressed = false;
  const uploadFiles = plan.upload.filter((entry) => entry.type === 'file');
  const bytesTotal = uploadFiles.reduce((sum, entry) => sum + entry.size, 0);
  if (plan.upload.length > 0) {
    compressed = await decideCompression(runner, root, uploadFiles, bytesTotal, options.compression ?? 'auto', signal);
    let filesDone = 0;
    let bytesDone = 0;
    report({ phase: 'uploading', filesDone, filesTotal: uploadFiles.length, bytesDone, bytesTotal }, true);
    const uploadStarted = Date.now();
    const result = await uploadTar(runner, options.remoteDir, root, plan.upload, compressed, signal, (file, bytes) => {
      sent.set(file.entry.path, file);
      filesDone++;
      bytesDone += bytes;
      report({ phase: 'uploading', filesDone, filesTotal: uploadFiles.length, bytesDone, bytesTotal });
    });
    changedListing = result.listing;
    transferredBytes = result.transferredBytes;
    const seconds = (Date.now() - uploadStarted) / 1000;
    // An upload's pace is bounded by the remote disk too, so it may raise the estimate, never lower it.
    if (!compressed && transferredBytes >= 4 << 20 && seconds > 0) linkSpeeds.set(runner, Math.max(linkSpeeds.get(runner) ?? 0, transferredBytes / seconds));
  }

  phaseDone('upload');
  const newRecords = new Map<string, RemoteRecord>();
  const uploaded = new Set(plan.upload.map((entry) => entry.path));
  for (const entry of scan.entries) {
    if (uploaded.has(entry.path)) {
      const after = changedListing.get(entry.path);
      const file = sent.get(entry.path);
      if (after && after.type === entry.type && (entry.type !== 'file' || file)) {
        newRecords.set(entry.path, toRecord(after, file?.hash));
        if (file?.hash) hashCache.set(entry.path, { statKey: entry.statKey, hash: file.hash, hashedAtMs: Date.now() });
      }
    } else {
      const before = remote.get(entry.path);
      if (before && before.type !== 'other') newRecords.set(entry.path, toRecord(before, remoteHashes.get(entry.path)));
    }
  }
  const localPaths = new Set(scan.entries.map((entry) => entry.path));
  let hashesChanged = freshLocal.size > 0 || sent.size > 0;
  for (const file of hashCache.keys()) {
    if (!localPaths.has(file)) {
      hashCache.delete(file);
      hashesChanged = true;
    }
  }
  // The store may write in the background: the remote side is done, and lost state is only slower.
  await Promise.all([
    recordsEqual(records, newRecords) ? undefined : state.saveRemote(remoteKey, newRecords),
    hashesChanged ? state.saveHashes(root, hashCache) : undefined,
  ]);
  phaseDone('save');

  report({ phase: 'done', filesDone: uploadFiles.length, filesTotal: uploadFiles.length, bytesDone: bytesTotal, bytesTotal }, true);
  return {
    remoteDir: options.remoteDir,
    uploadedFiles: uploadFiles.length,
    uploadedBytes: bytesTotal,
    transferredBytes,
    compressed,
    removed: plan.remove,
    unchanged: plan.unchanged,
    excluded: scan.excluded,
    durationMs: Date.now() - started,
    phases,
  };
}

function recordsEqual(before: ReadonlyMap<string, RemoteRecord> | undefined, after: ReadonlyMap<string, RemoteRecord>): boolean {
  if (!before || before.size !== after.size) return false;
  for (const [file, record] of after) {
    const old = before.get(file);
    if (!old || old.type !== record.type || old.size !== record.size || old.mtime !== record.mtime || old.mode !== record.mode || old.hash !== record.hash) return false;
  }
  return true;
}

function toRecord(entry: RemoteEntry, hash: string | undefined): RemoteRecord {
  const type = entry.type === 'other' ? 'file' : entry.type;
  return { type, size: entry.size, mtime: entry.mtime, mode: entry.mode, ...(type === 'file' && hash ? { hash } : {}) };
}

async function collect(runner: RemoteRunner, argv: string[], stdin: Buffer | undefined, signal: AbortSignal | undefined, what: string): Promise<Buffer> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const status = await runner.exec(argv, { stdin, signal, onStdout: (chunk) => stdout.push(chunk), onStderr: (chunk) => stderr.push(chunk) });
  if (status.code !== 0) throw new Error(`${what} failed on the remote side (${describeStatus(status)}): ${Buffer.concat(stderr).toString('utf8').trim().slice(-500)}`);
  return Buffer.concat(stdout);
}

async function listRemote(runner: RemoteRunner, remoteDir: string, signal: AbortSignal | undefined): Promise<Map<string, RemoteEntry>> {
  return parseRemoteListing(await collect(runner, listRemoteTree(remoteDir), undefined, signal, 'Listing the synced folder'));
}

async function hashRemote(runner: RemoteRunner, remoteDir: string, files: readonly string[], signal: AbortSignal | undefined): Promise<Map<string, string>> {
  if (files.length === 0) return new Map();
  const stdout: Buffer[] = [];
  // A file that vanished meanwhile makes sha256sum exit 1; the others are still hashed.
  await runner.exec(hashRemoteFiles(remoteDir), { stdin: Buffer.from(files.map((file) => `${file}\0`).join('')), signal, onStdout: (chunk) => stdout.push(chunk) });
  return parseSha256sums(Buffer.concat(stdout));
}

async function removeRemote(runner: RemoteRunner, remoteDir: string, removals: readonly Removal[], signal: AbortSignal | undefined): Promise<void> {
  const prefix = { tree: 'r', file: 'f', dir: 'd' } as const;
  const stdin = Buffer.from(removals.map((removal) => `${prefix[removal.kind]}/${removal.path}\0`).join(''));
  await collect(runner, removeRemotePaths(remoteDir), stdin, signal, 'Removing deleted files');
}

async function uploadTar(
  runner: RemoteRunner,
  remoteDir: string,
  root: string,
  entries: readonly LocalEntry[],
  gzip: boolean,
  signal: AbortSignal | undefined,
  onFileSent: (file: SentFile, bytes: number) => void,
): Promise<{ listing: Map<string, RemoteEntry>; transferredBytes: number }> {
  const remote = await runner.spawn(
    extractTar(
      remoteDir,
      gzip,
      entries.map((entry) => entry.path),
    ),
    { signal },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  remote.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  remote.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let transferredBytes = 0;
  const tar = createTarStream({ root, entries, onFileSent });
  const stages: NodeJS.ReadableStream[] = gzip ? [tar, createGzip({ level: 1 })] : [tar];
  const counted = stages[stages.length - 1]!;
  counted.on('data', (chunk: Buffer) => (transferredBytes += chunk.length));
  const sending = (pipeline as (...streams: unknown[]) => Promise<void>)(...stages, remote.stdin).catch((error: Error) => error);
  const [sendError, status] = await Promise.all([sending, remote.exit]);
  if (status.code !== 0) {
    throw new Error(`Unpacking the workspace failed on the remote side (${describeStatus(status)}): ${Buffer.concat(stderr).toString('utf8').trim().slice(-500)}`);
  }
  if (sendError) throw sendError;
  return { listing: parseRemoteListing(Buffer.concat(stdout)), transferredBytes };
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
  const picks = Array.from({ length: Math.min(16, files.length) }, (_, i) => files[Math.floor((i * files.length) / Math.min(16, files.length))]!);
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
