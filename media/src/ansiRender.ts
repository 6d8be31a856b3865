import { parseAnsi, type AnsiStyle } from '../../src/logs/ansi';

const paletteNames = [
  'Black',
  'Red',
  'Green',
  'Yellow',
  'Blue',
  'Magenta',
  'Cyan',
  'White',
  'BrightBlack',
  'BrightRed',
  'BrightGreen',
  'BrightYellow',
  'BrightBlue',
  'BrightMagenta',
  'BrightCyan',
  'BrightWhite',
];

/** A palette colour follows the theme's terminal colours; others are literal. */
function cssColour(colour: string): string {
  if (colour.startsWith('ansi:')) return `var(--vscode-terminal-ansi${paletteNames[Number(colour.slice(5))]})`;
  return colour;
}

function applyStyle(span: HTMLElement, style: AnsiStyle): void {
  let fg = style.fg && cssColour(style.fg);
  let bg = style.bg && cssColour(style.bg);
  if (style.inverse) [fg, bg] = [bg ?? 'var(--vscode-editor-background)', fg ?? 'var(--vscode-editor-foreground)'];
  if (fg) span.style.color = fg;
  if (bg) span.style.backgroundColor = bg;
  if (style.bold) span.style.fontWeight = 'bold';
  if (style.dim) span.style.opacity = '0.7';
  if (style.italic) span.style.fontStyle = 'italic';
  if (style.underline) span.style.textDecoration = 'underline';
}

/**
 * Appends `text` with its ANSI colours to `target`; occurrences of `highlight` (lower-case match
 * unless it has capitals, as the host's search) are wrapped in <mark>.
 */
export function renderAnsi(target: HTMLElement, text: string, highlight: string): void {
  for (const { text: piece, style } of parseAnsi(text)) {
    const hasStyle = Object.keys(style).length > 0;
    const container = hasStyle ? document.createElement('span') : target;
    if (hasStyle) {
      applyStyle(container, style);
      target.appendChild(container);
    }
    appendHighlighted(container, piece, highlight);
  }
}

function appendHighlighted(target: HTMLElement, text: string, highlight: string): void {
  if (highlight === '') {
    target.appendChild(document.createTextNode(text));
    return;
  }
  const caseSensitive = highlight !== highlight.toLowerCase();
  const haystack = caseSensitive ? text : text.toLowerCase();
  let at = 0;
  for (let found = haystack.indexOf(highlight, at); found !== -1; found = haystack.indexOf(highlight, at)) {
    if (found > at) target.appendChild(document.createTextNode(text.slice(at, found)));
    const mark = document.createElement('mark');
    mark.textContent = text.slice(found, found + highlight.length);
    target.appendChild(mark);
    at = found + highlight.length;
  }
  if (at < text.length) target.appendChild(document.createTextNode(text.slice(at)));
}
