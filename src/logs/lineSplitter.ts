/**
 * Splits a byte stream into lines at '\n'. Bytes after the last '\n' are kept as the partial
 * line until more arrive, so a line cut by a chunk (or a reconnect) is delivered once, whole.
 * Splitting on the byte 0x0A is safe for UTF-8: no multi-byte sequence contains it.
 */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialLength = 0;

  /** Returns the complete lines in `chunk` (without their '\n'), oldest first. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (this.partialLength > 0) {
        this.partial.push(piece);
        lines.push(Buffer.concat(this.partial, this.partialLength + piece.length));
        this.partial = [];
        this.partialLength = 0;
      } else {
        lines.push(piece);
      }
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partial.push(rest);
      this.partialLength += rest.length;
    }
    return lines;
  }

  /** The bytes of the line not yet ended by '\n'. */
  get pending(): Buffer {
    if (this.partial.length > 1) this.partial = [Buffer.concat(this.partial, this.partialLength)];
    return this.partial[0] ?? Buffer.alloc(0);
  }

  get pendingLength(): number {
    return this.partialLength;
  }
}
