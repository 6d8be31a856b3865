// Characters that mean nothing to POSIX shells or fish anywhere in a word. `=` is left out (a first
// word `A=b` is an assignment), as are `~`, `%`, `{`, `}` and glob characters.
const PLAIN_WORD = /^[A-Za-z0-9_./,:@+-]+$/;

/**
 * Quotes one word, or an argument list as a command line, for the remote login shell. The one
 * function every remote command goes through: its output reads as the same words in sh, bash, dash,
 * zsh and fish, because single quotes and backslashes are escaped outside the quotes (fish, unlike
 * POSIX shells, treats `\'` and `\\` specially inside single quotes).
 */
export function shellQuote(words: string | readonly string[]): string {
  if (typeof words === 'string') return quoteWord(words);
  return words.map(quoteWord).join(' ');
}

function quoteWord(word: string): string {
  if (word.includes('\0')) throw new Error('A command argument cannot contain a NUL character');
  if (word === '') return "''";
  if (PLAIN_WORD.test(word)) return word;
  let quoted = '';
  let run = '';
  for (const char of word) {
    if (char === "'" || char === '\\') {
      if (run) quoted += `'${run}'`;
      run = '';
      quoted += `\\${char}`;
    } else {
      run += char;
    }
  }
  if (run) quoted += `'${run}'`;
  return quoted;
}
