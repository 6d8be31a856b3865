/**
 * What a terminal would show for one line written with carriage returns (tqdm progress bars):
 * each '\r' moves back to column 0 and the following text overwrites what is there.
 * A trailing '\r' (from '\r\n' line ends, or a bar about to be redrawn) changes nothing.
 * When a segment carries ANSI escapes, column arithmetic would be wrong, so the last non-empty
 * segment wins instead.
 */
export function resolveCarriageReturns(line: string): string {
  if (!line.includes('\r')) return line;
  const segments = line.split('\r');
  if (line.includes('\x1b')) {
    for (let i = segments.length - 1; i >= 0; i--) if (segments[i] !== '') return segments[i];
    return '';
  }
  let screen = '';
  for (const segment of segments) {
    if (segment.length >= screen.length) screen = segment;
    else screen = segment + screen.slice(segment.length);
  }
  return screen;
}
