/** Recognises how a training run fails, from the lines of one stream (one node's rank). */

export type FailureKind = 'traceback' | 'cudaOom' | 'nccl' | 'childFailed' | 'killed' | 'crash';

export interface TracebackFrame {
  /** As the remote Python printed it (absolute, relative, or `<frozen runpy>`). */
  path: string;
  line: number;
  functionName?: string;
}

export interface Failure {
  kind: FailureKind;
  /** Line numbers (the caller's) of the first and last line of the failure's text. */
  startLine: number;
  endLine: number;
  /** The line that says what went wrong: an exception line, or the failing line itself. */
  summary: string;
  /** Innermost last, as Python prints them; empty for one-line failures. */
  frames: TracebackFrame[];
  /** An exception's whole message when it spans lines (grows as its lines arrive). */
  message?: string;
  /** The earlier exceptions of a chained traceback (`During handling of …`), first first. */
  chain?: string[];
  /** A later exception of the same chain followed: that one says what finally went wrong. */
  superseded?: boolean;
}

const tracebackStart = /^\s*Traceback \(most recent call last\):\s*$/;
const frame = /^\s*File "([^"]+)", line (\d+)(?:, in (.+))?\s*$/;
const exceptionLine = /^[A-Za-z_][\w.]*(?:: .*|:)?$/;
const chainLine = /^(?:During handling of the above exception|The above exception was the direct cause)/;

const oom = /CUDA out of memory|OutOfMemoryError|CUDA error: out of memory|CUBLAS_STATUS_ALLOC_FAILED/;
const nccl = new RegExp(
  [
    String.raw`\bNCCL error\b`,
    String.raw`\bnccl(?:InternalError|UnhandledCudaError|SystemError|InvalidUsage|RemoteError|InvalidArgument)\b`,
    'DistBackendError',
    'Watchdog caught collective operation timeout',
    'NCCL communicator was aborted',
    'NCCL timeout',
  ].join('|'),
);
const childFailed = /\bChildFailedError\b/;
const killed = /^(?:.*:\s*line \d+:\s*\d+\s+)?Killed(?:\s.*)?$|exitcode\s*:?\s*-9\b|Signal 9 \(SIGKILL\)/;
const crash = /\bSegmentation fault\b|\bBus error\b|\(core dumped\)|exitcode\s*:?\s*-(?:6|11)\b|Signal (?:6|11) \(SIG(?:ABRT|SEGV)\)/;

interface OpenTraceback {
  startLine: number;
  frames: TracebackFrame[];
  /** Python prints the failing source line (and 3.11's ^^^ marks) indented under each frame. */
  sawFrame: boolean;
  /** The traceback this one was raised while handling, or from. */
  chainedFrom?: Failure;
}

// Lines that end an exception's message: another program's log record, or our launcher's.
const logRecord = /^(?:\[?[DIWEF]\d{4} \d|\[azure-pytorch\]|\[?\d{4}-\d{2}-\d{2}[T ]\d|(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\b)/;
const maxMessageLines = 50;

export class FailureDetector {
  private open: OpenTraceback | undefined;
  /** The last traceback's failure while its message may go on over the following lines. */
  private messageOf: Failure | undefined;
  /** The last traceback's failure, until a line other than a chain's separator follows it. */
  private chainable: Failure | undefined;
  private chained = false;
  private readonly killedPids = new Set<string>();

  /**
   * Feeds one line (rank prefix, ANSI escapes and `\r` removed); returns a failure it completes.
   * A traceback's failure is returned at its exception line; lines of the message that follow it
   * extend that same object (`message`, `endLine`), and a later exception of the same chain marks
   * it `superseded`.
   */
  push(text: string, lineNumber: number): Failure | undefined {
    if (tracebackStart.test(text)) {
      const chainedFrom = this.chained ? this.chainable : undefined;
      this.endMessage();
      this.open = { startLine: lineNumber, frames: [], sawFrame: false, chainedFrom };
      return undefined;
    }
    if (this.open) return this.continueTraceback(text, lineNumber, this.open);
    if (this.messageOf && text.trim() !== '' && !chainLine.test(text) && !logRecord.test(text)) {
      return this.extendMessage(this.messageOf, text, lineNumber);
    }
    this.messageOf = undefined;
    if (chainLine.test(text)) {
      this.chained = this.chainable !== undefined;
      return undefined;
    }
    if (text.trim() !== '') this.endMessage();
    return this.singleLine(text, lineNumber);
  }

  private extendMessage(failure: Failure, text: string, lineNumber: number): undefined {
    failure.message = `${failure.message ?? failure.summary}\n${text}`;
    failure.endLine = lineNumber;
    if (failure.message.split('\n').length >= maxMessageLines) this.messageOf = undefined;
    return undefined;
  }

  private endMessage(): void {
    this.messageOf = undefined;
    this.chainable = undefined;
    this.chained = false;
  }

  private continueTraceback(text: string, lineNumber: number, open: OpenTraceback): Failure | undefined {
    const match = frame.exec(text);
    if (match) {
      open.frames.push({ path: match[1], line: Number(match[2]), functionName: match[3] });
      open.sawFrame = true;
      return undefined;
    }
    if (/^\s/.test(text) || text === '' || !open.sawFrame) return undefined;
    this.open = undefined;
    if (!exceptionLine.test(text) && !chainLine.test(text)) return this.singleLine(text, lineNumber);
    if (chainLine.test(text)) return undefined;
    const earlier = open.chainedFrom;
    const failure: Failure = {
      kind: classify(text) ?? (earlier && earlier.kind !== 'traceback' ? earlier.kind : 'traceback'),
      startLine: open.startLine,
      endLine: lineNumber,
      summary: text.trim(),
      frames: open.frames,
    };
    if (earlier) {
      earlier.superseded = true;
      failure.chain = [...(earlier.chain ?? []), earlier.message ?? earlier.summary];
    }
    this.messageOf = failure;
    this.chainable = failure;
    return failure;
  }

  private singleLine(text: string, lineNumber: number): Failure | undefined {
    const kind = classify(text);
    if (!kind) return undefined;
    if (kind === 'killed') {
      const pid = /pid:?\s*(\d+)|PID (\d+)/.exec(text);
      const key = pid ? (pid[1] ?? pid[2]) : text;
      if (this.killedPids.has(key)) return undefined;
      this.killedPids.add(key);
    }
    return { kind, startLine: lineNumber, endLine: lineNumber, summary: text.trim(), frames: [] };
  }
}

// Every failure pattern holds one of these words: most lines are ruled out by one cheap test.
const failureHint =
  /[mM]emory|ALLOC|NCCL|nccl|DistBackendError|Watchdog|ChildFailedError|Killed|exitcode|Signal|Segmentation|Bus error|core dumped/;

function classify(text: string): FailureKind | undefined {
  if (!failureHint.test(text)) return undefined;
  if (oom.test(text)) return 'cudaOom';
  if (nccl.test(text)) return 'nccl';
  if (childFailed.test(text)) return 'childFailed';
  if (killed.test(text.trim())) return 'killed';
  if (crash.test(text)) return 'crash';
  return undefined;
}
