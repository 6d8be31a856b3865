import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { LocalEntry } from './syncEntry';
import { padding, tarHeader, tarTrailer } from './tarHeader';

/** What was actually sent for one file (it may have changed since it was scanned). */
export interface SentFile {
  readonly entry: LocalEntry;
  /** SHA-256 of the bytes sent; undefined when the file changed while being read. */
  readonly hash: string | undefined;
}

export interface TarStreamOptions {
  readonly root: string;
  readonly entries: readonly LocalEntry[];
  readonly onFileSent?: (file: SentFile, bytes: number) => void;
}

// Small files are read whole, several ahead of the writer; big ones are streamed in chunks.
const WHOLE_FILE_LIMIT = 4 << 20;
const READ_AHEAD_BYTES = 32 << 20;
const CHUNK = 1 << 20;
const FLUSH_AT = 256 << 10;

/**
 * A tar archive of the given entries, produced as it is read: headers and file contents go out
 * in path order, each file hashed on the way (no second read), small writes batched.
 */
export function createTarStream(options: TarStreamOptions): Readable {
  return Readable.from(generateTar(options), { objectMode: false, highWaterMark: 4 << 20 });
}

async function* generateTar({ root, entries, onFileSent }: TarStreamOptions): AsyncGenerator<Buffer> {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  const push = (buffer: Buffer): void => {
    pending.push(buffer);
    pendingBytes += buffer.length;
  };
  const flush = (): Buffer => {
    const out = Buffer.concat(pending, pendingBytes);
    pending.length = 0;
    pendingBytes = 0;
    return out;
  };
  const readAhead = new ReadAhead(root, entries);

  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    const mtimeSeconds = Math.floor(entry.mtimeMs / 1000);
    if (entry.type !== 'file') {
      push(tarHeader({ path: entry.path, type: entry.type, size: 0, mode: entry.mode, mtimeSeconds, linkTarget: entry.linkTarget }));
    } else if (entry.size <= WHOLE_FILE_LIMIT) {
      const data = await readAhead.take(index);
      if (data === undefined) continue; // vanished since the scan: the next sync deletes it remotely
      push(tarHeader({ path: entry.path, type: 'file', size: data.length, mode: entry.mode, mtimeSeconds }));
      push(data);
      push(Buffer.alloc(padding(data.length)));
      onFileSent?.({ entry, hash: createHash('sha256').update(data).digest('hex') }, data.length);
    } else {
      if (pendingBytes > 0) yield flush();
      yield* streamLargeFile(root, entry, mtimeSeconds, onFileSent);
    }
    if (pendingBytes >= FLUSH_AT) yield flush();
  }
  push(tarTrailer());
  yield flush();
}

/** Streams one big file with the size announced in its header, whatever happens to it meanwhile. */
async function* streamLargeFile(
  root: string,
  entry: LocalEntry,
  mtimeSeconds: number,
  onFileSent: TarStreamOptions['onFileSent'],
): AsyncGenerator<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path.join(root, entry.path), 'r');
  } catch {
    return;
  }
  try {
    yield tarHeader({ path: entry.path, type: 'file', size: entry.size, mode: entry.mode, mtimeSeconds });
    const hash = createHash('sha256');
    let sent = 0;
    let stable = true;
    while (sent < entry.size) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, entry.size - sent));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, sent);
      if (bytesRead === 0) {
        stable = false; // it shrank: the header's size still has to be filled
        yield Buffer.alloc(entry.size - sent);
        break;
      }
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      sent += bytesRead;
      yield chunk;
    }
    const { size } = await handle.stat();
    if (size !== entry.size) stable = false;
    yield Buffer.alloc(padding(entry.size));
    onFileSent?.({ entry, hash: stable ? hash.digest('hex') : undefined }, entry.size);
  } finally {
    await handle.close();
  }
}

/** Reads small files ahead of the writer, bounded by bytes in flight. */
class ReadAhead {
  private readonly reads = new Map<number, Promise<Buffer | undefined>>();
  private next = 0;
  private inFlight = 0;

  constructor(
    private readonly root: string,
    private readonly entries: readonly LocalEntry[],
  ) {}

  take(index: number): Promise<Buffer | undefined> {
    this.fill(index);
    const read = this.reads.get(index) ?? this.start(index);
    this.reads.delete(index);
    return read.then((data) => {
      this.inFlight -= this.entries[index]!.size;
      this.fill(index + 1);
      return data;
    });
  }

  private fill(from: number): void {
    if (this.next < from) this.next = from;
    while (this.next < this.entries.length && this.inFlight < READ_AHEAD_BYTES) {
      const entry = this.entries[this.next]!;
      if (entry.type === 'file' && entry.size <= WHOLE_FILE_LIMIT && !this.reads.has(this.next)) {
        this.reads.set(this.next, this.start(this.next));
      }
      this.next++;
    }
  }

  private start(index: number): Promise<Buffer | undefined> {
    const entry = this.entries[index]!;
    this.inFlight += entry.size;
    return fs.readFile(path.join(this.root, entry.path)).catch(() => undefined);
  }
}
