import * as fs from 'node:fs';

/**
 * A node's log as received, byte for byte, in a local file. Its size is the offset the follower
 * resumes from, after a reconnect or a window reload; older lines are read back from it on demand.
 */
export class NodeLogCache {
  private readonly fd: number;
  private sizeValue: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600);
    this.sizeValue = fs.fstatSync(this.fd).size;
  }

  get size(): number {
    return this.sizeValue;
  }

  append(chunk: Buffer): void {
    let written = 0;
    while (written < chunk.length) written += fs.writeSync(this.fd, chunk, written, chunk.length - written);
    this.sizeValue += chunk.length;
  }

  read(start: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const count = fs.readSync(this.fd, buffer, done, length - done, start + done);
      if (count === 0) throw new Error(`${this.path} ends before byte ${start + length}`);
      done += count;
    }
    return buffer;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
