import type { ExecOptions, ExitStatus, RemoteProcess, SpawnOptions } from '../ssh/sshConnection';

/** What the sync needs of a connection (an SshConnection has it). */
export interface RemoteRunner {
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExitStatus>;
  spawn(argv: readonly string[], options?: SpawnOptions): Promise<RemoteProcess>;
}

/** Runs a remote script to the end and returns its stdout; a failure throws, with the end of its stderr. */
export async function runForOutput(
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

export function assertSucceeded(status: ExitStatus, stderr: Buffer, what: string): void {
  if (status.code !== 0)
    throw new Error(`${what} failed on the remote side (${describeStatus(status)}): ${stderr.toString('utf8').trim().slice(-500)}`);
}

export function describeStatus(status: ExitStatus): string {
  return status.signal ? `killed by ${status.signal}` : `exit ${status.code}`;
}
