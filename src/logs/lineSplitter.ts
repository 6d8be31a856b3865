import { rankPrefixLength } from './rankPrefix';

/** Longest line kept whole; longer ones are compacted (see LineSplitter). */
export const maxLineBytes = 64 * 1024;
/** Ends the text of a line whose last redraw was longer than `maxLineBytes`. */
export const lineCutMarker = ' … [line cut: too long to keep]';
const cr = 0x0d;

/**
 * Splits a byte stream into lines at '\n'. Bytes after the last '\n' are kept as the partial
 * line until more arrive, so a line cut by a chunk (or a reconnect) is delivered once, whole.
 * Splitting on the byte 0x0A is safe for UTF-8: no multi-byte sequence contains it.
 *
 * A line longer than `maxLength` (a tqdm bar that never prints '\n', a huge dump) is compacted as
 * it grows, so memory and the cost of showing it stay bounded: its rank prefix and what follows
 * its last '\r' are kept, the latter cut to `maxLength` bytes with `lineCutMarker` added. The
 * result does not depend on how the bytes were chunked.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** Bytes of the unfinished line as received (before compaction). */
  private lineBytes = 0;
  private cut = false;

  /**
   * `onRedrawn` receives what compaction drops of a line's earlier redraws (each of them once, with
   * the line's rank prefix): a tqdm bar's postfix (`loss=0.31`) of every step is still read.
   */
  constructor(
    private readonly maxLength = maxLineBytes,
    private readonly onRedrawn?: (prefix: Buffer, redraws: Buffer) => void,
  ) {}

  /** Returns the complete lines in `chunk` (without their '\n'), oldest first. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      let line = piece;
      if (this.partialLength > 0) {
        this.partial.push(piece);
        line = Buffer.concat(this.partial, this.partialLength + piece.length);
      }
      if (this.lineBytes + piece.length > this.maxLength) line = this.finish(this.compact(line));
      lines.push(line);
      this.partial = [];
      this.partialLength = 0;
      this.lineBytes = 0;
      this.cut = false;
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partial.push(rest);
      this.partialLength += rest.length;
      this.lineBytes += rest.length;
      if (this.partialLength > this.maxLength) this.partial = [this.compact(Buffer.concat(this.partial, this.partialLength))];
    }
    return lines;
  }

  /** The bytes of the line not yet ended by '\n' (compacted, marked when cut). */
  get pending(): Buffer {
    if (this.partial.length > 1) this.partial = [Buffer.concat(this.partial, this.partialLength)];
    const bytes = this.partial[0] ?? Buffer.alloc(0);
    return this.cut ? this.finish(bytes) : bytes;
  }

  get pendingLength(): number {
    return this.partialLength;
  }

  /**
   * Keeps the rank prefix and the last redraw (the text after the last '\r' that some text follows),
   * at most maxLength bytes of it. Trailing '\r's become one: the next text replaces what is kept.
   */
  private compact(line: Buffer): Buffer {
    const prefix = rankPrefixLength(line.subarray(0, 256).toString('latin1'));
    let textEnd = line.length;
    while (textEnd > prefix && line[textEnd - 1] === cr) textEnd--;
    const lastReturn = textEnd > prefix ? line.lastIndexOf(cr, textEnd - 1) : -1;
    let text = line.subarray(prefix, textEnd);
    if (lastReturn >= prefix) {
      this.onRedrawn?.(line.subarray(0, prefix), line.subarray(prefix, lastReturn));
      text = line.subarray(lastReturn + 1, textEnd);
      this.cut = false;
    }
    if (text.length > this.maxLength) {
      text = text.subarray(0, this.maxLength);
      this.cut = true;
    }
    const kept = Buffer.concat([line.subarray(0, prefix), text, textEnd < line.length ? Buffer.from('\r') : Buffer.alloc(0)]);
    this.partialLength = kept.length;
    return kept;
  }

  private finish(line: Buffer): Buffer {
    if (!this.cut) return line;
    const text = line[line.length - 1] === cr ? line.subarray(0, -1) : line;
    return Buffer.concat([text, Buffer.from(lineCutMarker)]);
  }
}
