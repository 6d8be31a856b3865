import { type ChildProcessByStdio, spawn } from 'child_process';
import * as fs from 'fs';
import type { Readable, Writable } from 'stream';
import type { MachineRef } from '../common/machine';
import type { SshConnectionPool } from '../ssh/connectionPool';
import type { SshTarget } from '../ssh/sshTarget';
import type { ExecResult, JobHost } from './jobHost';
import type { SyncProgress } from '../sync/workspaceSync';
import type { JobSpec } from './jobSpec';

/** Brings a job's workspace up to date on the machine `ssh` reaches. */
export type SshWorkspaceSync = (
  ssh: SshTarget,
  spec: JobSpec,
  signal: AbortSignal,
  onProgress?: (progress: SyncProgress) => void,
) => Promise<void>;

/** A job node over SSH, with the SshTarget its machine was resolved to when it was connected. */
export interface SshJobHost extends JobHost {
  readonly ssh: SshTarget;
}

/**
 * A job node over the SSH layer's pool: every command goes through the pooled connection, so a
 * dropped connection is replaced on the next command and a watched job survives network trouble.
 */
export function sshJobHost(pool: SshConnectionPool, machine: MachineRef, ssh: SshTarget, sync: SshWorkspaceSync): SshJobHost {
  return {
    machine,
    ssh,
    address: ssh.host,
    async exec(argv: readonly string[], signal?: AbortSignal, stdin?: Buffer): Promise<ExecResult> {
      const result = await pool.execText(ssh, argv, { signal, stdin });
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.code };
    },
    syncWorkspace: (spec, signal, onProgress) => sync(ssh, spec, signal, onProgress),
  };
}

/**
 * Copies a remote folder (relative to the remote home) into a local folder: one `tar` on the VM
 * streamed into a local `tar`. Resolves to the number of files copied.
 */
export async function downloadFolder(
  pool: SshConnectionPool,
  ssh: SshTarget,
  remotePath: string,
  localPath: string,
  signal?: AbortSignal,
): Promise<number> {
  const check = await pool.execText(ssh, ['test', '-d', remotePath], { signal });
  if (check.code !== 0)
    throw new Error(
      `${ssh.label ?? ssh.host} has no folder ~/${remotePath}: ` +
        "the job wrote no outputs there (rank 0's working folder is the synced workspace).",
    );
  await fs.promises.mkdir(localPath, { recursive: true });
  const remote = await pool.spawn(ssh, ['tar', '-C', remotePath, '-cf', '-', '.'], { signal });
  const local = spawn('tar', ['-xvf', '-', '-C', localPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  let listed = '';
  local.stdout.setEncoding('utf8').on('data', (chunk: string) => (listed += chunk));
  // GNU tar lists on stdout, bsdtar (macOS, Windows) on stderr.
  const localErrors = await untarLocally(remote, local, `~/${remotePath} on ${ssh.label ?? ssh.host}`, localPath);
  const entries = `${listed}\n${localErrors}`.split('\n').map((line) => line.replace(/^x /, '').trim());
  return entries.filter((entry) => entry && entry !== './' && entry !== '.' && !entry.endsWith('/')).length;
}

export interface DownloadFilesOptions {
  /** A leading folder (`workspace/`) left out of the local paths. */
  readonly stripPrefix?: string;
  /** The bytes received so far (the archive: the files' sizes and 512 bytes or so per file). */
  readonly onBytes?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Copies files of a remote folder (relative to the remote home; `paths` relative to it) into a local
 * folder, keeping their relative paths: one `tar` on the VM reading the names from stdin, streamed
 * into a local `tar`. Resolves to the number of files copied.
 */
export async function downloadFiles(
  pool: SshConnectionPool,
  ssh: SshTarget,
  remoteDir: string,
  paths: readonly string[],
  localPath: string,
  options: DownloadFilesOptions = {},
): Promise<number> {
  const { stripPrefix, onBytes, signal } = options;
  if (stripPrefix !== undefined && !/^[A-Za-z0-9._-]+\/$/.test(stripPrefix)) throw new Error(`Not a folder prefix: ${stripPrefix}`);
  await fs.promises.mkdir(localPath, { recursive: true });
  const transform = stripPrefix ? [`--transform=s,^${stripPrefix.replace(/\./g, '\\.')},,`] : [];
  const remote = await pool.spawn(ssh, ['tar', '-C', remoteDir, '--null', '-T', '-', ...transform, '-cf', '-'], { signal });
  remote.stdin.end(Buffer.from(paths.map((each) => `${each}\0`).join('')));
  const local = spawn('tar', ['-xf', '-', '-C', localPath], { stdio: ['pipe', 'ignore', 'pipe'] });
  let received = 0;
  remote.stdout.on('data', (chunk: Buffer) => onBytes?.((received += chunk.length)));
  await untarLocally(remote, local, `~/${remoteDir} on ${ssh.label ?? ssh.host}`, localPath);
  return paths.length;
}

/**
 * Streams the remote `tar`'s archive into the local `tar` and waits for both; throws what either
 * said when it failed. Resolves to what the local `tar` wrote on stderr (bsdtar lists entries there).
 */
async function untarLocally(
  remote: { readonly stdout: Readable; readonly stderr: Readable; readonly exit: Promise<{ readonly code: number | null }> },
  local: ChildProcessByStdio<Writable, Readable | null, Readable>,
  source: string,
  localPath: string,
): Promise<string> {
  let localErrors = '';
  let remoteErrors = '';
  local.stderr.setEncoding('utf8').on('data', (chunk: string) => (localErrors += chunk));
  remote.stderr.setEncoding('utf8').on('data', (chunk: string) => (remoteErrors += chunk));
  pipeToLocal(remote.stdout, local.stdin);
  const [remoteExit, localCode] = await Promise.all([
    remote.exit,
    new Promise<number | null>((resolve, reject) => {
      local.once('error', reject);
      local.once('close', resolve);
    }),
  ]);
  if (remoteExit.code !== 0) throw new Error(`Reading ${source} failed: ${remoteErrors.trim() || `exit ${remoteExit.code}`}`);
  if (localCode !== 0) throw new Error(`Writing ${localPath} failed: ${localErrors.trim() || `tar exit ${localCode}`}`);
  return localErrors;
}

/**
 * Pipes the remote command's stdout into a local process. The local `tar` may exit once it has read
 * the archive's end, before the channel's end of file arrives: `pipe` then pauses the source, the
 * channel never closes, and the download hangs. What comes after is drained instead.
 */
function pipeToLocal(source: Readable, destination: Writable): void {
  destination.on('error', () => undefined); // EPIPE once the local process is gone: its exit status tells
  destination.on('unpipe', () => source.resume());
  source.pipe(destination);
}
