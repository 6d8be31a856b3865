/**
 * Where each line of a job's merged log lives: node, byte range in that node's cache, rank, flags.
 * Columns of typed arrays (16 bytes a line), so a million lines cost 16 MB, not their text.
 */
export const enum LineFlag {
  Failure = 1,
}

export class LineIndex {
  private capacity = 1024;
  private count = 0;
  private nodes = new Uint8Array(this.capacity);
  private starts = new Float64Array(this.capacity);
  private lengths = new Uint32Array(this.capacity);
  private ranks = new Uint16Array(this.capacity);
  private flagBits = new Uint8Array(this.capacity);
  private readonly rankLabels: string[] = [''];
  private readonly rankIds = new Map<string, number>([['', 0]]);
  /** Each node's workers seen, in order of first appearance (keyed node × 65536 + rank id). */
  private readonly streamKeys = new Set<number>();
  private readonly streams: { node: number; rank: string }[] = [];

  get length(): number {
    return this.count;
  }

  push(node: number, start: number, length: number, rank: string): number {
    if (this.count === this.capacity) this.grow();
    const index = this.count++;
    this.nodes[index] = node;
    this.starts[index] = start;
    this.lengths[index] = length;
    const rankId = this.rankId(rank);
    this.ranks[index] = rankId;
    const key = node * 0x10000 + rankId;
    if (!this.streamKeys.has(key)) {
      this.streamKeys.add(key);
      this.streams.push({ node, rank: this.rankLabels[rankId] });
    }
    return index;
  }

  node(index: number): number {
    return this.nodes[index];
  }

  start(index: number): number {
    return this.starts[index];
  }

  byteLength(index: number): number {
    return this.lengths[index];
  }

  rankIdOf(index: number): number {
    return this.ranks[index];
  }

  rank(index: number): string {
    return this.rankLabels[this.ranks[index]];
  }

  /** Every rank label seen, in order of first appearance ('' for lines without a prefix). */
  get ranksSeen(): readonly string[] {
    return this.rankLabels;
  }

  /** Every worker (node and rank label) seen, in order of first appearance. */
  get streamsSeen(): readonly { node: number; rank: string }[] {
    return this.streams;
  }

  rankIdFor(label: string): number | undefined {
    return this.rankIds.get(label);
  }

  flags(index: number): number {
    return this.flagBits[index];
  }

  setFlag(index: number, flag: LineFlag): void {
    this.flagBits[index] |= flag;
  }

  private rankId(label: string): number {
    let id = this.rankIds.get(label);
    if (id === undefined) {
      id = this.rankLabels.length;
      if (id > 0xffff) return 0;
      this.rankLabels.push(label);
      this.rankIds.set(label, id);
    }
    return id;
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Uint8Array | Float64Array | Uint32Array | Uint16Array>(old: T, make: (n: number) => T): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.nodes = grown(this.nodes, (n) => new Uint8Array(n));
    this.starts = grown(this.starts, (n) => new Float64Array(n));
    this.lengths = grown(this.lengths, (n) => new Uint32Array(n));
    this.ranks = grown(this.ranks, (n) => new Uint16Array(n));
    this.flagBits = grown(this.flagBits, (n) => new Uint8Array(n));
  }
}
