import * as fs from 'node:fs';

/**
 * The order in which lines of different nodes arrived, one byte (the node) per line, so a restored
 * panel interleaves the nodes' cached logs as they were first shown.
 */
export class LineOrderFile {
  private readonly fd: number;
  private pending: Buffer[] = [];

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600);
  }

  readAll(): Uint8Array {
    this.flush();
    return fs.readFileSync(this.path);
  }

  /** Records `count` lines of `node` in a row (a received chunk's lines all come from one node). */
  add(node: number, count = 1): void {
    if (count > 0) this.pending.push(Buffer.alloc(count, node));
  }

  /** Called once per received chunk: one write for all its lines. */
  flush(): void {
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
    this.pending = [];
  }

  /** Drops entries past `length` (lines whose bytes never reached the cache). */
  truncate(length: number): void {
    fs.ftruncateSync(this.fd, length);
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
