import { followArgv, parseEndMarker, type FollowTarget, type JobOutcome } from './followCommand';
import { LineSplitter } from './lineSplitter';
import type { RemoteCommand, RemoteCommandRunnerProvider } from './remoteCommandRunner';

export type FollowerState =
  | { kind: 'connecting' }
  | { kind: 'following' }
  | { kind: 'reconnecting'; attempt: number; reason: string }
  | { kind: 'ended'; outcome: JobOutcome }
  | { kind: 'failed'; reason: string };

export interface FollowerListener {
  /** Bytes of the remote log in order, each exactly once; `offset` is where `chunk` starts in the file. */
  onData(chunk: Buffer, offset: number): void;
  onState(state: FollowerState): void;
  /** Diagnostics from the remote side (tail's own messages). */
  onDiagnostic?(message: string): void;
}

export interface FollowerOptions {
  firstRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Remote errors (exit status ≠ 0 with the connection up) are retried this often, then reported. */
  maxRemoteErrors?: number;
}

/**
 * Follows one remote log file by byte offset. After a lost connection it resumes at the first
 * byte it has not delivered, so nothing is lost or repeated; it stops once the job has ended and
 * the file has been read to its end.
 */
export class LogFollower {
  private offsetValue: number;
  private running: RemoteCommand | undefined;
  private generation = 0;
  private stopped = false;
  private readonly firstRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxRemoteErrors: number;

  constructor(
    private readonly connect: RemoteCommandRunnerProvider,
    private readonly target: FollowTarget,
    startOffset: number,
    private readonly listener: FollowerListener,
    options: FollowerOptions = {},
  ) {
    this.offsetValue = startOffset;
    this.firstRetryDelayMs = options.firstRetryDelayMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5000;
    this.maxRemoteErrors = options.maxRemoteErrors ?? 3;
  }

  /** Bytes delivered so far (plus the offset it started from): where the next run resumes. */
  get offset(): number {
    return this.offsetValue;
  }

  /** Follows until the log is complete, a persistent remote error, or dispose(). */
  async run(): Promise<void> {
    let attempt = 0;
    let remoteErrors = 0;
    this.listener.onState({ kind: 'connecting' });
    while (!this.stopped) {
      let failure: string;
      try {
        const outcome = await this.followOnce(() => {
          this.listener.onState({ kind: 'following' });
          attempt = 0;
        });
        if (this.stopped) return;
        if (outcome.kind === 'complete') {
          this.listener.onState({ kind: 'ended', outcome: outcome.outcome });
          return;
        }
        remoteErrors++;
        failure = outcome.reason;
        if (remoteErrors >= this.maxRemoteErrors || outcome.permanent) {
          this.listener.onState({ kind: 'failed', reason: failure });
          return;
        }
      } catch (error) {
        if (this.stopped) return;
        failure = error instanceof Error ? error.message : String(error);
      }
      attempt++;
      this.listener.onState({ kind: 'reconnecting', attempt, reason: failure });
      await this.delay(Math.min(this.maxRetryDelayMs, this.firstRetryDelayMs * 2 ** Math.min(attempt - 1, 10)));
    }
  }

  dispose(): void {
    this.stopped = true;
    this.generation++;
    this.running?.cancel();
    this.wake?.();
  }

  private wake: (() => void) | undefined;

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async followOnce(
    onFirstOutput: () => void,
  ): Promise<{ kind: 'complete'; outcome: JobOutcome } | { kind: 'remoteError'; reason: string; permanent: boolean }> {
    const runner = await this.connect();
    if (this.stopped) throw new Error('stopped');
    const generation = ++this.generation;
    const stderr = new LineSplitter();
    let outcome: JobOutcome | undefined;
    const diagnostics: string[] = [];
    let sawOutput = false;
    const command = runner.start(followArgv(this.target, this.offsetValue), {
      onStdout: (chunk) => {
        // A command we gave up on may still flush; its bytes were not counted and must not be.
        if (generation !== this.generation || chunk.length === 0) return;
        if (!sawOutput) {
          sawOutput = true;
          onFirstOutput();
        }
        const start = this.offsetValue;
        this.offsetValue += chunk.length;
        this.listener.onData(chunk, start);
      },
      onStderr: (chunk) => {
        for (const line of stderr.push(chunk)) {
          const text = line.toString('utf8');
          const marker = parseEndMarker(text);
          if (marker) outcome = marker;
          else if (text !== '') {
            diagnostics.push(text);
            this.listener.onDiagnostic?.(text);
          }
        }
      },
    });
    this.running = command;
    try {
      const result = await command.result;
      if (result.exitCode === 0 && outcome) return { kind: 'complete', outcome };
      if (result.exitCode === null) throw new Error(`log stream ended by ${result.signal ?? 'a lost connection'}`);
      const why =
        result.exitCode === 3 ? 'the job ended without writing this log' : (diagnostics.slice(-1)[0] ?? `exit status ${result.exitCode}`);
      return { kind: 'remoteError', reason: why, permanent: result.exitCode === 3 };
    } finally {
      if (this.running === command) this.running = undefined;
    }
  }
}
