import * as fs from 'node:fs';

/**
 * The order in which lines of different nodes arrived, one byte (the node) per line, so a restored
 * panel interleaves the nodes' cached logs as they were first shown.
 */
export class LineOrderFile {
  private readonly fd: number;
  private pending: number[] = [];

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600);
  }

  readAll(): Uint8Array {
    this.flush();
    return fs.readFileSync(this.path);
  }

  add(node: number): void {
    this.pending.push(node);
  }

  /** Called once per received chunk: one write for all its lines. */
  flush(): void {
    if (this.pending.length === 0) return;
    fs.writeSync(this.fd, Uint8Array.from(this.pending));
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
