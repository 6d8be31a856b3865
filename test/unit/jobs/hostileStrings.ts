/**
 * Strings that break naive shell quoting: spaces, both quotes, `$()`, backticks, `;`, newlines,
 * unicode, leading dashes and the rest of the shell's metacharacters, alone and mixed. Made by a
 * seeded generator so a failure can be reproduced.
 */
const pieces = [
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  "'",
  '"',
  "''",
  '""',
  '\\',
  '\\\\',
  '$',
  '$(',
  ')',
  '$(id)',
  '$(touch /tmp/pwned)',
  '${HOME}',
  '$HOME',
  '$1',
  '$@',
  '$*',
  '$$',
  '$?',
  '`',
  '`id`',
  ';',
  ';rm -rf ~;',
  '&',
  '&&',
  '|',
  '||',
  '>',
  '>>',
  '<',
  '<(',
  '(',
  '{',
  '}',
  '[',
  ']',
  '*',
  '?',
  '~',
  '#',
  '!',
  '!!',
  '%',
  '^',
  '=',
  ',',
  '-',
  '--',
  '-x',
  '--lr=0.1',
  '--',
  'é',
  'ñ',
  '日本語',
  '🚀',
  'Ω',
  '\u00a0',
  '\u200b',
  '\u202e',
  'a',
  'b',
  'run',
  '0',
  '0.5',
  'path/to',
  '..',
  '.',
  '/',
  'x=y',
  "it's",
  'say "hi"',
];

/** A small seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` hostile strings: every piece alone first, then random mixes; leading dashes are common. */
export function hostileStrings(count: number, seed = 1234): string[] {
  const next = random(seed);
  const result = [...pieces, '', '-', '--help', '-h', '--nproc_per_node=99', '--standalone'];
  while (result.length < count) {
    const parts = 1 + Math.floor(next() * 6);
    let text = next() < 0.3 ? '-' : '';
    for (let i = 0; i < parts; i++) text += pieces[Math.floor(next() * pieces.length)];
    result.push(text);
  }
  return result.slice(0, count);
}

/** A script path as hostile as a file name can be (no `/` inside a name, no NUL). */
export const hostileScriptPath = '-dir $(touch pwned) `id`; \'q\' "d"\n日本/-run me & echo.py';
