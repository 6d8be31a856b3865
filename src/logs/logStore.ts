import * as fs from 'node:fs';
import * as path from 'node:path';
import { displayLine, overwrittenTexts } from './displayLine';
import { NodeLogCache } from './logCache';
import { LineIndex } from './lineIndex';
import { LineOrderFile } from './lineOrderFile';
import { LineSplitter } from './lineSplitter';
import { embeddedPrefixOffsets, type RankedLine } from './rankPrefix';

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

  constructor(dir: string, nodeCount: number) {
    if (nodeCount < 1 || nodeCount > 255) throw new Error(`Unsupported node count ${nodeCount}`);
    fs.mkdirSync(dir, { recursive: true });
    this.caches = Array.from({ length: nodeCount }, (_, node) => new NodeLogCache(path.join(dir, `node-${node}.log`)));
    this.splitters = this.caches.map(() => new LineSplitter());
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
    const readers = this.caches.map((cache) => cachedLines(cache));
    let kept = 0;
    for (const node of order) {
      const next = node < readers.length ? readers[node].next() : { done: true as const, value: undefined };
      if (next.done) break;
      this.addLine(node, next.value, onLine);
      kept++;
    }
    if (kept < order.length) this.order.truncate(kept);
    readers.forEach((reader, node) => {
      for (let next = reader.next(); !next.done; next = reader.next()) {
        this.addLine(node, next.value, onLine);
        this.order.add(node);
      }
    });
    this.order.flush();
    this.caches.forEach((cache, node) => {
      if (this.lineStarts[node] < cache.size)
        this.splitters[node].push(cache.read(this.lineStarts[node], cache.size - this.lineStarts[node]));
    });
  }

  /** Stores bytes received for a node and indexes the lines they complete. */
  ingest(node: number, chunk: Buffer, onLine: (line: StoredLine) => void): void {
    this.caches[node].append(chunk);
    const lines = this.splitters[node].push(chunk);
    for (const raw of lines) this.addLine(node, raw, onLine);
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

  private addLine(node: number, raw: Buffer, onLine: (line: StoredLine) => void): void {
    const start = this.lineStarts[node];
    this.lineStarts[node] = start + raw.length + 1;
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

  /** One read per node covers that node's lines of the page: they are in file order. */
  private readPage(page: number): RankedLine[] {
    const first = page * pageSize;
    const end = Math.min(this.index.length, first + pageSize);
    const spans = new Map<number, { from: number; to: number }>();
    for (let i = first; i < end; i++) {
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
      const from = this.index.start(i) - spans.get(node)!.from;
      lines.push(displayLine(bytes.get(node)!.subarray(from, from + this.index.byteLength(i))));
    }
    return lines;
  }
}

/** The complete lines of a cache file, read in blocks. */
function* cachedLines(cache: NodeLogCache): Generator<Buffer> {
  const splitter = new LineSplitter();
  const block = 4 << 20;
  for (let at = 0; at < cache.size; at += block) {
    yield* splitter.push(cache.read(at, Math.min(block, cache.size - at)));
  }
}
