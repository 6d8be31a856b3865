import * as fs from 'node:fs';
import * as path from 'node:path';
import { displayLine, overwrittenTexts } from './displayLine';
import { NodeLogCache } from './logCache';
import { LineIndex } from './lineIndex';
import { LineOrderFile } from './lineOrderFile';
import { LineSplitter, maxLineBytes } from './lineSplitter';
import { embeddedPrefixOffsets, splitRankPrefix, type RankedLine } from './rankPrefix';

/** A complete line as it enters the store: its place in the merged log and its display text. */
export interface StoredLine {
  index: number;
  node: number;
  rank: string;
  /** Display text (carriage returns resolved, rank prefix off), ANSI escapes kept. */
  text: string;
  /** What the line showed before its last `\r` redraw (a progress bar's earlier steps), if anything. */
  overwritten?: string[];
}

const pageSize = 256;
const maxCachedPages = 64;

/**
 * The merged log of a job's nodes, held on disk: each node's bytes in its cache file, the line
 * index in memory, and the display text of recently read pages. Memory grows by 16 bytes a line,
 * whatever the lines' length.
 */
export class LogStore {
  readonly index = new LineIndex();
  private readonly caches: NodeLogCache[];
  private readonly splitters: LineSplitter[];
  private readonly lineStarts: number[];
  private readonly order: LineOrderFile;
  private readonly pages = new Map<number, RankedLine[]>();
  private readonly longLines = new Map<number, RankedLine>();

  /** `onRedrawn` gets the earlier redraws of a line too long to keep (see LineSplitter), as display texts. */
  constructor(
    dir: string,
    nodeCount: number,
    private readonly onRedrawn?: (node: number, rank: string, texts: string[]) => void,
  ) {
    if (nodeCount < 1 || nodeCount > 255) throw new Error(`Unsupported node count ${nodeCount}`);
    fs.mkdirSync(dir, { recursive: true });
    this.caches = Array.from({ length: nodeCount }, (_, node) => new NodeLogCache(path.join(dir, `node-${node}.log`)));
    this.splitters = this.caches.map((_, node) => new LineSplitter(maxLineBytes, this.redrawnHandler(node)));
    this.lineStarts = this.caches.map(() => 0);
    this.order = new LineOrderFile(path.join(dir, 'order.bin'));
  }

  get nodeCount(): number {
    return this.caches.length;
  }

  get lineCount(): number {
    return this.index.length;
  }

  /** Bytes of a node's log already held: where its follower resumes. */
  offset(node: number): number {
    return this.caches[node].size;
  }

  cachePath(node: number): string {
    return this.caches[node].path;
  }

  /** The display text of a node's unfinished last line ('' when none). */
  pendingText(node: number): string {
    const splitter = this.splitters[node];
    return splitter.pendingLength === 0 ? '' : displayLine(splitter.pending).text;
  }

  /** Rebuilds the index from the cache files (after a reload), in the order lines first arrived. */
  restore(onLine: (line: StoredLine) => void): void {
    const order = this.order.readAll();
    const readers = this.caches.map((cache, node) => cachedLines(cache, this.redrawnHandler(node)));
    let kept = 0;
    for (const node of order) {
      const next = node < readers.length ? readers[node].next() : { done: true as const, value: undefined };
      if (next.done) break;
      this.addLine(node, next.value.raw, next.value.end, onLine);
      kept++;
    }
    if (kept < order.length) this.order.truncate(kept);
    readers.forEach((reader, node) => {
      for (let next = reader.next(); !next.done; next = reader.next()) {
        this.addLine(node, next.value.raw, next.value.end, onLine);
        this.order.add(node);
      }
    });
    this.order.flush();
    this.caches.forEach((cache, node) => {
      for (const block of blocks(cache, this.lineStarts[node])) this.splitters[node].push(block);
    });
  }

  /** Stores bytes received for a node and indexes the lines they complete. */
  ingest(node: number, chunk: Buffer, onLine: (line: StoredLine) => void): void {
    const at = this.caches[node].size;
    this.caches[node].append(chunk);
    const lines = this.splitters[node].push(chunk);
    let newline = -1;
    for (const raw of lines) {
      newline = chunk.indexOf(0x0a, newline + 1);
      this.addLine(node, raw, at + newline, onLine);
    }
    this.order.add(node, lines.length);
    this.order.flush();
  }

  line(index: number): RankedLine {
    const page = Math.floor(index / pageSize);
    let lines = this.pages.get(page);
    if (lines) {
      this.pages.delete(page);
      this.pages.set(page, lines);
    } else {
      lines = this.readPage(page);
      if (lines.length === pageSize) {
        this.pages.set(page, lines);
        if (this.pages.size > maxCachedPages) this.pages.delete(this.pages.keys().next().value!);
      }
    }
    return lines[index - page * pageSize];
  }

  close(): void {
    for (const cache of this.caches) cache.close();
    this.order.close();
  }

  /** `raw` is the line as the splitter gave it (compacted when long), `end` where its '\n' is in the cache. */
  private addLine(node: number, raw: Buffer, end: number, onLine: (line: StoredLine) => void): void {
    const start = this.lineStarts[node];
    this.lineStarts[node] = end + 1;
    if (end - start > maxLineBytes) {
      const { rank, text } = displayLine(raw);
      const index = this.index.push(node, start, end - start, rank);
      const overwritten = overwrittenTexts(raw);
      onLine(overwritten.length > 0 ? { index, node, rank, text, overwritten } : { index, node, rank, text });
      return;
    }
    // Workers' output sharing one line becomes one stored line per worker: a byte span each.
    const shared = raw.indexOf(']:') !== raw.lastIndexOf(']:');
    const bounds = [0, ...(shared ? embeddedPrefixOffsets(raw.toString('latin1')) : []), raw.length];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const piece = raw.subarray(bounds[i], bounds[i + 1]);
      const { rank, text } = displayLine(piece);
      const index = this.index.push(node, start + bounds[i], piece.length, rank);
      const overwritten = overwrittenTexts(piece);
      onLine(overwritten.length > 0 ? { index, node, rank, text, overwritten } : { index, node, rank, text });
    }
  }

  private redrawnHandler(node: number): ((prefix: Buffer, redraws: Buffer) => void) | undefined {
    const onRedrawn = this.onRedrawn;
    if (!onRedrawn) return undefined;
    return (prefix, redraws) => {
      const segments = redraws.toString('utf8').split('\r');
      const texts = segments.map((segment) => splitRankPrefix(segment).text).filter((text) => text.trim() !== '');
      if (texts.length > 0) onRedrawn(node, splitRankPrefix(prefix.toString('utf8')).rank, texts);
    };
  }

  /** A line too long to keep whole, compacted as when it arrived (read once: the tail page is read often). */
  private longLine(index: number): RankedLine {
    let line = this.longLines.get(index);
    if (!line) {
      const splitter = new LineSplitter();
      const start = this.index.start(index);
      for (const block of blocks(this.caches[this.index.node(index)], start, start + this.index.byteLength(index))) splitter.push(block);
      line = displayLine(splitter.push(Buffer.from('\n'))[0]);
      this.longLines.set(index, line);
      if (this.longLines.size > maxCachedPages) this.longLines.delete(this.longLines.keys().next().value!);
    }
    return line;
  }

  /** One read per node covers that node's lines of the page: they are in file order. */
  private readPage(page: number): RankedLine[] {
    const first = page * pageSize;
    const end = Math.min(this.index.length, first + pageSize);
    const spans = new Map<number, { from: number; to: number }>();
    for (let i = first; i < end; i++) {
      // A page with a long line reads its lines one by one: a span over the long line would read all of it.
      if (this.index.byteLength(i) > maxLineBytes) {
        spans.clear();
        break;
      }
      const node = this.index.node(i);
      const to = this.index.start(i) + this.index.byteLength(i);
      const span = spans.get(node);
      if (span) span.to = to;
      else spans.set(node, { from: this.index.start(i), to });
    }
    const bytes = new Map<number, Buffer>();
    for (const [node, span] of spans) bytes.set(node, this.caches[node].read(span.from, span.to - span.from));
    const lines: RankedLine[] = [];
    for (let i = first; i < end; i++) {
      const node = this.index.node(i);
      const start = this.index.start(i);
      const length = this.index.byteLength(i);
      const span = spans.get(node);
      if (length > maxLineBytes) lines.push(this.longLine(i));
      else if (span) lines.push(displayLine(bytes.get(node)!.subarray(start - span.from, start - span.from + length)));
      else lines.push(displayLine(this.caches[node].read(start, length)));
    }
    return lines;
  }
}

const blockSize = 4 << 20;

/** A cache file's bytes from `from` to `to`, in blocks. */
function* blocks(cache: NodeLogCache, from: number, to = cache.size): Generator<Buffer> {
  for (let at = from; at < to; at += blockSize) yield cache.read(at, Math.min(blockSize, to - at));
}

/** The complete lines of a cache file (compacted as the live splitter does) and where each line's '\n' is. */
function* cachedLines(cache: NodeLogCache, onRedrawn?: (prefix: Buffer, redraws: Buffer) => void): Generator<{ raw: Buffer; end: number }> {
  const splitter = new LineSplitter(maxLineBytes, onRedrawn);
  let at = 0;
  for (const block of blocks(cache, 0)) {
    let newline = -1;
    for (const raw of splitter.push(block)) {
      newline = block.indexOf(0x0a, newline + 1);
      yield { raw, end: at + newline };
    }
    at += block.length;
  }
}
