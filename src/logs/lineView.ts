import { stripAnsi } from './ansi';
import type { LogStore } from './logStore';
import type { LineFilter, SearchDirection } from './panelMessages';

/** Lines read between two looks at the clock while searching. */
const linesPerClockRead = 256;

/**
 * The lines a filter lets through, as positions in the merged log. Without a filter it is the
 * identity and costs nothing; with one, 4 bytes a shown line.
 */
export class LineView {
  private filterValue: LineFilter = {};
  private selected: Uint32Array | undefined;
  private count = 0;
  private nodeAllowed: boolean[] = [];
  /** Allowed workers, keyed node × 65536 + rank id. */
  private rankAllowed: Set<number> | undefined;
  /** Changes with each filter: a search started under another filter has positions that no longer hold. */
  private generation = 0;

  constructor(private readonly store: LogStore) {}

  get filter(): LineFilter {
    return this.filterValue;
  }

  get length(): number {
    return this.selected ? this.count : this.store.lineCount;
  }

  setFilter(filter: LineFilter): void {
    this.filterValue = filter;
    this.generation++;
    const nodes = filter.nodes;
    this.nodeAllowed = Array.from({ length: this.store.nodeCount }, (_, node) => !nodes || nodes.includes(node));
    this.rankAllowed = filter.ranks ? new Set(filter.ranks.flatMap(({ node, rank }) => this.workerKey(node, rank))) : undefined;
    if (!nodes && !filter.ranks) {
      this.selected = undefined;
      return;
    }
    this.selected = new Uint32Array(Math.max(1024, this.store.lineCount));
    this.count = 0;
    for (let i = 0; i < this.store.lineCount; i++) if (this.passes(i)) this.selected[this.count++] = i;
  }

  /** Call for each line added to the store, in order. */
  added(index: number): void {
    if (!this.selected || !this.passes(index)) return;
    if (this.count === this.selected.length) {
      const grown = new Uint32Array(this.selected.length * 2);
      grown.set(this.selected);
      this.selected = grown;
    }
    this.selected[this.count++] = index;
  }

  lineAt(position: number): number {
    return this.selected ? this.selected[position] : position;
  }

  /** The position of a merged-log line in this view, or -1 when the filter hides it. */
  positionOf(index: number): number {
    if (!this.selected) return index < this.store.lineCount ? index : -1;
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.selected[middle];
      if (value === index) return middle;
      if (value < index) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /**
   * The nearest position after (or before) `from` whose text contains `query`, wrapping around;
   * -1 when no line matches, undefined when `signal` aborted it first. Case-insensitive unless the
   * query has capitals. It reads in slices of `sliceMs` and yields to the event loop between them:
   * a search of millions of lines must not freeze the extension host.
   */
  async search(query: string, from: number, direction: SearchDirection, signal?: AbortSignal, sliceMs = 8): Promise<number | undefined> {
    const total = this.length;
    if (query === '' || total === 0) return -1;
    const caseSensitive = query !== query.toLowerCase();
    const needle = caseSensitive ? query : query.toLowerCase();
    const step = direction === 'next' ? 1 : -1;
    let position = from;
    let visited = 0;
    const generation = this.generation;
    while (visited < total) {
      if (signal?.aborted || generation !== this.generation) return undefined;
      const sliceEnd = performance.now() + sliceMs;
      do {
        const batchEnd = Math.min(total, visited + linesPerClockRead);
        for (; visited < batchEnd; visited++) {
          position = (((position + step) % total) + total) % total;
          const text = stripAnsi(this.store.line(this.lineAt(position)).text);
          if ((caseSensitive ? text : text.toLowerCase()).includes(needle)) return position;
        }
      } while (visited < total && performance.now() < sliceEnd);
      if (visited < total) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return -1;
  }

  /** A worker's key in `rankAllowed`; none for a rank label no line has had yet. */
  private workerKey(node: number, rank: string): number[] {
    const id = this.store.index.rankIdFor(rank);
    return id === undefined ? [] : [node * 0x10000 + id];
  }

  private passes(index: number): boolean {
    const node = this.store.index.node(index);
    if (!this.nodeAllowed[node]) return false;
    return !this.rankAllowed || this.rankAllowed.has(node * 0x10000 + this.store.index.rankIdOf(index));
  }
}
