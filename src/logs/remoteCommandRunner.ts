/**
 * What the log follower and the GPU poller need from an SSH connection: start an argv on the host
 * and stream its output. The SSH layer's pooled connection satisfies it through a small adapter.
 */
export interface RemoteCommandHandlers {
  onStdout(chunk: Buffer): void;
  onStderr?(chunk: Buffer): void;
}

export interface RemoteCommandResult {
  /** The remote exit status; null when the command ended without one (killed by a signal). */
  exitCode: number | null;
  signal?: string;
}

export interface RemoteCommand {
  /** Settles once the command has ended and all its output was delivered; rejects when the connection is lost. */
  readonly result: Promise<RemoteCommandResult>;
  /** Ends the command (closes its channel); `result` then settles. */
  cancel(): void;
}

export interface RemoteCommandRunner {
  /** Runs `argv` on the host; every element is quoted for the remote shell by the runner. */
  start(argv: readonly string[], handlers: RemoteCommandHandlers): RemoteCommand;
}

/** Gives a runner for a host, connecting (or reconnecting) as needed; rejects when it cannot. */
export type RemoteCommandRunnerProvider = () => Promise<RemoteCommandRunner>;
