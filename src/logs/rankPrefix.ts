/** A line with torchrun's per-worker prefix (`[default0]:`, `[rank3]:`) taken apart. */
export interface RankedLine {
  /** The prefix's label without brackets, e.g. `default0` or `rank3`; '' when the line has none. */
  rank: string;
  /** The line after the prefix. */
  text: string;
}

// torchrun's --tee prefix is `[{role}{local_rank}]:` (role "default" unless set); newer
// torch (--local-ranks-filter, TORCH_LOG_LINE_PREFIX_TEMPLATE) writes `[rank{global_rank}]:`.
// ANSI colour codes may come before it when a worker colours its whole line.
// eslint-disable-next-line no-control-regex -- matching ESC, the start of a colour code, is the point
const prefix = /^((?:\x1b\[[0-9;]*m)*)\[([A-Za-z_][A-Za-z_-]*\d+)\]:/;

// torch 2.x prefixes each line of a worker's uncaught traceback with `[rank{global_rank}]: ` itself,
// inside torchrun's prefix: `[default0]:[rank0]: Traceback …`.
const innerPrefix = /^\[rank\d+\]: ?/;

/** The length of the line's outer rank prefix (colour codes before it included); 0 when none. */
export function rankPrefixLength(line: string): number {
  return prefix.exec(line)?.[0].length ?? 0;
}

export function splitRankPrefix(line: string): RankedLine {
  const match = prefix.exec(line);
  if (!match) return { rank: '', text: line };
  const rest = line.slice(match[0].length);
  const inner = innerPrefix.exec(rest);
  return { rank: match[2], text: match[1] + (inner ? rest.slice(inner[0].length) : rest) };
}

const embeddedPrefix = /\[([A-Za-z_][A-Za-z_-]*?)\d+\]:/g;

/**
 * Where a line holds several workers' output: with `--tee`, one worker's unfinished line (a tqdm
 * bar) and the next worker's prefix share a line, `[default0]:… 423.39it/s][default1]:step=10`.
 * Returns the offsets at which a prefix of the line's own kind (same role) starts a new worker's
 * text, after some text of the previous one. Offsets are in `line`'s code units: pass a latin1
 * decoding of the bytes to get byte offsets.
 */
export function embeddedPrefixOffsets(line: string): number[] {
  const first = prefix.exec(line);
  if (!first) return [];
  const role = /^[A-Za-z_][A-Za-z_-]*?(?=\d+$)/.exec(first[2])?.[0];
  const offsets: number[] = [];
  let textStart = first[0].length;
  embeddedPrefix.lastIndex = textStart;
  for (let match = embeddedPrefix.exec(line); match; match = embeddedPrefix.exec(line)) {
    const end = match.index + match[0].length;
    if (match[1] === role && match.index > textStart) offsets.push(match.index);
    if (match[1] === role || match.index === textStart) textStart = end;
  }
  return offsets;
}
