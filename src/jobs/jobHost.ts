import type { MachineRef } from '../common/machine';
import type { SyncProgress } from '../sync/workspaceSync';
import type { JobSpec } from './jobSpec';

/** What a finished remote command gave back. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** null when it ended without one (killed by a signal). */
  readonly exitCode: number | null;
}

/**
 * One node of a job as the jobs layer uses it: a connected machine (where `machine` names which
 * one) that runs argument lists (quoted for its shell by the SSH layer) and receives the workspace,
 * both over the connection it was made with.
 */
export interface JobHost {
  readonly machine: MachineRef;
  /** The address the extension reaches it by (public IP, private IP or SSH host name). */
  readonly address: string;
  /** Runs a command; `stdin`, when given, is fed to it and closed. */
  exec(argv: readonly string[], signal?: AbortSignal, stdin?: Buffer): Promise<ExecResult>;
  /** Brings the job's workspace folder up to date on the machine (remoteLayout's workspaceDir). */
  syncWorkspace(spec: JobSpec, signal: AbortSignal, onProgress?: (progress: SyncProgress) => void): Promise<void>;
}

/** The machine is known to be stopped or deallocated: whatever ran on it is gone. */
export class MachineStoppedError extends Error {}

/** Runs a command that must succeed; its stderr (or stdout) names the failure. */
export async function execChecked(
  host: JobHost,
  argv: readonly string[],
  what: string,
  signal?: AbortSignal,
  stdin?: Buffer,
): Promise<string> {
  const result = await host.exec(argv, signal, stdin);
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ');
    throw new Error(`${host.machine.label}: ${what} failed (exit ${result.exitCode ?? 'signal'})${detail ? `: ${detail}` : ''}`);
  }
  return result.stdout;
}
