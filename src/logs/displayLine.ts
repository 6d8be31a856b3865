import { resolveCarriageReturns } from './carriageReturn';
import { splitRankPrefix, type RankedLine } from './rankPrefix';

/**
 * A raw log line (bytes without '\n') as it reads on a terminal, with its rank prefix taken off.
 * The prefix is taken off first: a progress bar redrawn with '\r' would otherwise overwrite it.
 */
export function displayLine(raw: Buffer): RankedLine {
  let text = raw.toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  const first = splitRankPrefix(text);
  if (!text.includes('\r')) return first;
  const resolved = splitRankPrefix(resolveCarriageReturns(first.text));
  return { rank: first.rank || resolved.rank, text: resolved.text };
}
