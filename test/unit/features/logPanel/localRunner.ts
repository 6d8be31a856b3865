import { spawn } from 'node:child_process';
import type { RemoteCommandRunner } from '../../../../src/logs/remoteCommandRunner';

/** Runs the "remote" argv on this machine: the follower's script against local files, no SSH. */
export const localRunner: RemoteCommandRunner = {
  start(argv, handlers) {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
    child.stderr.on('data', (chunk: Buffer) => handlers.onStderr?.(chunk));
    const result = new Promise<{ exitCode: number | null; signal?: string }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ exitCode: code, signal: signal ?? undefined }));
    });
    return { result, cancel: () => child.kill() };
  },
};
