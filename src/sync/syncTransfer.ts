import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { decideCompression, noteUploadSpeed, type CompressionMode } from './compressionChoice';
import { parseRemoteListing } from './remoteListing';
import { assertSucceeded, type RemoteRunner } from './remoteRunner';
import { extractTar } from './remoteScripts';
import type { LocalEntry, RemoteEntry } from './syncEntry';
import type { ProgressReport } from './syncProgress';
import { createTarStream, type SentFile } from './tarStream';

export interface TransferOptions {
  readonly root: string;
  readonly remoteDir: string;
  readonly compression: CompressionMode;
  readonly report: ProgressReport;
  readonly signal: AbortSignal | undefined;
}

export interface Transfer {
  /** The uploaded paths as the remote side lists them after unpacking. */
  readonly written: ReadonlyMap<string, RemoteEntry>;
  readonly sent: ReadonlyMap<string, SentFile>;
  readonly transferredBytes: number;
  readonly compressed: boolean;
}

/** Sends the entries (in path order) as one tar stream to the remote `tar -x`. */
export async function transferChanges(runner: RemoteRunner, upload: readonly LocalEntry[], options: TransferOptions): Promise<Transfer> {
  const { root, remoteDir, report, signal } = options;
  const uploadFiles = upload.filter((entry) => entry.type === 'file');
  const bytesTotal = uploadFiles.reduce((sum, entry) => sum + entry.size, 0);
  const sent = new Map<string, SentFile>();
  const compressed = await decideCompression(runner, root, uploadFiles, bytesTotal, options.compression, signal);
  let filesDone = 0;
  let bytesDone = 0;
  report({ phase: 'uploading', filesDone, filesTotal: uploadFiles.length, bytesDone, bytesTotal }, true);
  const uploadStarted = Date.now();
  const remote = await runner.spawn(
    extractTar(
      remoteDir,
      compressed,
      upload.map((entry) => entry.path),
    ),
    { signal },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  remote.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  remote.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let transferredBytes = 0;
  const tar = createTarStream({
    root,
    entries: upload,
    onFileSent: (file, bytes) => {
      sent.set(file.entry.path, file);
      filesDone++;
      bytesDone += bytes;
      report({ phase: 'uploading', filesDone, filesTotal: uploadFiles.length, bytesDone, bytesTotal });
    },
  });
  const gzip = compressed ? createGzip({ level: 1 }) : undefined;
  (gzip ?? tar).on('data', (chunk: Buffer) => (transferredBytes += chunk.length));
  const sending = (gzip ? pipeline(tar, gzip, remote.stdin) : pipeline(tar, remote.stdin)).catch((error: Error) => error);
  const [sendError, status] = await Promise.all([sending, remote.exit]);
  assertSucceeded(status, Buffer.concat(stderr), 'Unpacking the workspace');
  if (sendError) throw sendError;
  if (!compressed) noteUploadSpeed(runner, transferredBytes, (Date.now() - uploadStarted) / 1000);
  return { written: parseRemoteListing(Buffer.concat(stdout)), sent, transferredBytes, compressed };
}
