/**
 * The script arguments the user types in one line, split the way a POSIX shell splits words:
 * whitespace separates, '…' is literal, "…" honours \" \\ \$ \` and a backslash escapes the
 * next character outside quotes. Nothing is expanded: `$HOME` stays `$HOME`.
 */
export function splitArguments(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ArgumentLineError(`a single quote at character ${i + 1} is never closed`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new ArgumentLineError('a double quote is never closed');
        const d = line[i];
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
          word += line[i + 1];
          i += 2;
        } else if (d === '\\' && line[i + 1] === '\n') {
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ArgumentLineError('the line ends with a lone backslash');
      if (line[i + 1] !== '\n') word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export class ArgumentLineError extends Error {
  constructor(problem: string) {
    super(`The arguments could not be read: ${problem}. Quote arguments with spaces, e.g. --name "my run".`);
  }
}
