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
}

export class FailureDetector {
  private open: OpenTraceback | undefined;
  private readonly killedPids = new Set<string>();

  /** Feeds one line (rank prefix, ANSI escapes and `\r` removed); returns a failure it completes. */
  push(text: string, lineNumber: number): Failure | undefined {
    if (tracebackStart.test(text)) {
      this.open = { startLine: lineNumber, frames: [], sawFrame: false };
      return undefined;
    }
    if (this.open) return this.continueTraceback(text, lineNumber, this.open);
    return this.singleLine(text, lineNumber);
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
    return {
      kind: classify(text) ?? 'traceback',
      startLine: open.startLine,
      endLine: lineNumber,
      summary: text.trim(),
      frames: open.frames,
    };
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
