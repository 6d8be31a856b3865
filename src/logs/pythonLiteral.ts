/**
 * A tolerant reader for the dicts training scripts print: JSON objects and Python `repr`s
 * (single quotes, True/None, nan/inf, `tensor(0.5, device='cuda:0')`, `np.float64(0.5)`).
 * Returns undefined for anything it does not understand rather than guessing.
 */
export type Literal = number | string | boolean | null | Literal[] | { [key: string]: Literal };

export function parsePythonLiteral(text: string): Literal | undefined {
  const reader = new Reader(text);
  try {
    const value = reader.value();
    reader.skipSpace();
    return reader.atEnd() ? value : undefined;
  } catch {
    return undefined;
  }
}

class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.at >= this.text.length;
  }

  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at++;
  }

  value(): Literal {
    this.skipSpace();
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[' || c === '(') return this.list(c === '[' ? ']' : ')');
    if (c === '"' || c === "'") return this.string();
    const number = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(this.text.slice(this.at, this.at + 64));
    if (number) {
      this.at += number[0].length;
      return Number(number[0]);
    }
    const word = /^[-+]?[A-Za-z_][\w.]*/.exec(this.text.slice(this.at, this.at + 64));
    if (!word) throw new Error('unexpected character');
    this.at += word[0].length;
    const name = word[0];
    const special = specialWords[name.replace(/^[-+]/, '').toLowerCase()];
    if (special !== undefined && this.text[this.at] !== '(')
      return name.startsWith('-') && typeof special === 'number' ? -special : special;
    if (this.text[this.at] === '(') return this.call();
    throw new Error(`unknown name ${name}`);
  }

  /** `tensor(0.5, device=…)`, `np.float64(0.5)`: the first argument is the value. */
  private call(): Literal {
    this.at++;
    const first = this.value();
    let depth = 1;
    while (depth > 0) {
      if (this.atEnd()) throw new Error('unclosed call');
      const c = this.text[this.at++];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === '"' || c === "'") {
        this.at--;
        this.string();
      }
    }
    return first;
  }

  private object(): Literal {
    this.at++;
    const result: { [key: string]: Literal } = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] === '}') {
        this.at++;
        return result;
      }
      const key = this.value();
      this.skipSpace();
      if (this.text[this.at++] !== ':') throw new Error('expected :');
      result[keyName(key)] = this.value();
      this.skipSpace();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== '}') throw new Error('expected , or }');
    }
  }

  private list(close: string): Literal {
    this.at++;
    const result: Literal[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] === close) {
        this.at++;
        return result;
      }
      result.push(this.value());
      this.skipSpace();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== close) throw new Error('expected , or close');
    }
  }

  private string(): string {
    const quote = this.text[this.at++];
    let result = '';
    while (this.text[this.at] !== quote) {
      if (this.atEnd()) throw new Error('unclosed string');
      if (this.text[this.at] === '\\') this.at++;
      result += this.text[this.at++];
    }
    this.at++;
    return result;
  }
}

const specialWords: Record<string, Literal> = {
  true: true,
  false: false,
  none: null,
  null: null,
  nan: NaN,
  inf: Infinity,
  infinity: Infinity,
};

/** A dict key as a JS property name: a tuple's items joined by commas (as String() writes an array). */
function keyName(key: Literal): string {
  if (Array.isArray(key)) return key.map((item) => (item === null ? '' : keyName(item))).join(',');
  // A dict cannot be a Python key; the text is not Python then, and any name will do.
  if (typeof key === 'object' && key !== null) return JSON.stringify(key);
  return String(key);
}
