/** ANSI SGR escapes (colours, bold…) turned into styled spans; other escapes are dropped. */
export interface AnsiStyle {
  /** A palette index 0–15 as `ansi:<n>`, or a CSS colour `#rrggbb`. */
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface AnsiSpan {
  text: string;
  style: AnsiStyle;
}

// CSI sequences (ESC [ params intermediates final; params may hold ':' sub-parameters), OSC
// sequences (ESC ] … ended by BEL, ST or the next escape) and lone two-byte escapes. An OSC never
// ended on its line is not one: only its ESC ] is dropped, so the rest of the line stays visible.
// eslint-disable-next-line no-control-regex -- ESC and BEL are what terminal escapes are made of
const escape = /\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\|(?=\x1b))|[@-Z\\-_])/g;

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(escape, '') : text;
}

export function parseAnsi(text: string): AnsiSpan[] {
  if (!text.includes('\x1b')) return [{ text, style: {} }];
  const spans: AnsiSpan[] = [];
  let style: AnsiStyle = {};
  let last = 0;
  escape.lastIndex = 0;
  for (let match = escape.exec(text); match; match = escape.exec(text)) {
    if (match.index > last) spans.push({ text: text.slice(last, match.index), style });
    last = escape.lastIndex;
    if (match[2] === 'm' && /^[0-9;:]*$/.test(match[1])) style = applySgr(style, match[1]);
  }
  if (last < text.length) spans.push({ text: text.slice(last), style });
  return spans;
}

/** `params` are `;`-separated codes, each with optional `:` sub-parameters (`38:2::r:g:b`, `4:3`). */
function applySgr(current: AnsiStyle, params: string): AnsiStyle {
  const groups = params.split(';').map((param) => param.split(':').map((code) => (code === '' ? 0 : Number(code))));
  const codes = groups.map((group) => group[0]);
  let style: AnsiStyle = { ...current };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    const subs = groups[i].slice(1);
    if (code === 0) style = {};
    else if (code === 4 && subs.length > 0) style.underline = subs[0] === 0 ? undefined : true;
    else if ((code === 38 || code === 48) && subs.length > 0) {
      if (code === 38) style.fg = colonColour(subs);
      else style.bg = colonColour(subs);
    } else if (code === 1) style.bold = true;
    else if (code === 2) style.dim = true;
    else if (code === 3) style.italic = true;
    else if (code === 4) style.underline = true;
    else if (code === 7) style.inverse = true;
    else if (code === 22) style.bold = style.dim = undefined;
    else if (code === 23) style.italic = undefined;
    else if (code === 24) style.underline = undefined;
    else if (code === 27) style.inverse = undefined;
    else if (code >= 30 && code <= 37) style.fg = `ansi:${code - 30}`;
    else if (code >= 90 && code <= 97) style.fg = `ansi:${code - 90 + 8}`;
    else if (code === 39) style.fg = undefined;
    else if (code >= 40 && code <= 47) style.bg = `ansi:${code - 40}`;
    else if (code >= 100 && code <= 107) style.bg = `ansi:${code - 100 + 8}`;
    else if (code === 49) style.bg = undefined;
    else if (code === 38 || code === 48) {
      const { colour, used } = extendedColour(codes, i + 1);
      if (code === 38) style.fg = colour;
      else style.bg = colour;
      i += used;
    }
  }
  return style;
}

/** `5;n` (256-colour palette) or `2;r;g;b` after a 38/48. */
function extendedColour(codes: number[], at: number): { colour: string | undefined; used: number } {
  if (codes[at] === 5 && at + 1 < codes.length) return { colour: paletteColour(codes[at + 1]), used: 2 };
  if (codes[at] === 2 && at + 3 < codes.length) return { colour: hex(codes[at + 1], codes[at + 2], codes[at + 3]), used: 4 };
  return { colour: undefined, used: codes.length - at };
}

/** The colon form's sub-parameters after a 38/48: `5:n`, `2:<colour space>:r:g:b` or `2:r:g:b`. */
function colonColour(subs: number[]): string | undefined {
  if (subs[0] === 5) return paletteColour(subs[1]);
  if (subs[0] === 2 && subs.length >= 5) return hex(subs[2], subs[3], subs[4]);
  if (subs[0] === 2 && subs.length === 4) return hex(subs[1], subs[2], subs[3]);
  return undefined;
}

function paletteColour(n: number): string | undefined {
  if (!(n >= 0 && n <= 255)) return undefined;
  if (n < 16) return `ansi:${n}`;
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return hex(level, level, level);
  }
  const cube = n - 16;
  const level = (value: number) => (value === 0 ? 0 : 55 + value * 40);
  return hex(level(Math.floor(cube / 36)), level(Math.floor(cube / 6) % 6), level(cube % 6));
}

function hex(r: number, g: number, b: number): string {
  const part = (value: number) =>
    Math.max(0, Math.min(255, value | 0))
      .toString(16)
      .padStart(2, '0');
  return `#${part(r)}${part(g)}${part(b)}`;
}
