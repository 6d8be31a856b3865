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

export function splitRankPrefix(line: string): RankedLine {
  const match = prefix.exec(line);
  if (!match) return { rank: '', text: line };
  return { rank: match[2], text: match[1] + line.slice(match[0].length) };
}
