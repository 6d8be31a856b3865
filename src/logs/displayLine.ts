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

/**
 * The screens a line showed before its last '\r' redraw, oldest first, rank prefix off: a tqdm bar
 * updated in place holds every step's postfix (`loss=0.31`), though only its last redraw is shown.
 */
export function overwrittenTexts(raw: Buffer): string[] {
  if (!raw.includes(0x0d)) return [];
  const segments = raw.toString('utf8').replace(/\r+$/, '').split('\r');
  segments.pop();
  return segments.map((segment) => splitRankPrefix(segment).text).filter((text) => text.trim() !== '');
}
