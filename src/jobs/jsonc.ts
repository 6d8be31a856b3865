/**
 * Parses JSON with comments and trailing commas, as VS Code's own `.vscode/*.json` files allow.
 * Errors name the line and column of the problem.
 */
export function parseJsonc(text: string): unknown {
  const parser = new JsoncParser(text);
  const value = parser.value();
  parser.end();
  return value;
}

class JsoncParser {
  private i = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.skip();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.i, this.i + 64));
    if (!literal) this.fail(c === undefined ? 'unexpected end of the file' : `unexpected ${JSON.stringify(c)}`);
    this.i += literal[0].length;
    return JSON.parse(literal[0]);
  }

  end(): void {
    this.skip();
    if (this.i < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.i])} after the end`);
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.i++;
    for (;;) {
      this.skip();
      if (this.text[this.i] === '}') return (this.i++, result);
      if (this.text[this.i] !== '"') this.fail('expected a property name in double quotes');
      const key = this.string();
      this.skip();
      if (this.text[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      result[key] = this.value();
      this.skip();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') this.fail('expected "," or "}"');
    }
  }

  private array(): unknown[] {
    const result: unknown[] = [];
    this.i++;
    for (;;) {
      this.skip();
      if (this.text[this.i] === ']') return (this.i++, result);
      result.push(this.value());
      this.skip();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== ']') this.fail('expected "," or "]"');
    }
  }

  private string(): string {
    const start = this.i++;
    while (this.i < this.text.length && this.text[this.i] !== '"') {
      if (this.text[this.i] === '\n') this.fail('a string is not closed on its line');
      this.i += this.text[this.i] === '\\' ? 2 : 1;
    }
    if (this.i >= this.text.length) this.fail('a string is never closed');
    this.i++;
    let value: unknown;
    try {
      value = JSON.parse(this.text.slice(start, this.i));
    } catch {
      value = undefined;
    }
    if (typeof value === 'string') return value;
    this.i = start;
    this.fail('a string has a bad escape');
  }

  /** Skips whitespace and comments. */
  private skip(): void {
    for (;;) {
      while (/\s/.test(this.text[this.i] ?? '')) this.i++;
      if (this.text.startsWith('//', this.i)) {
        const end = this.text.indexOf('\n', this.i);
        this.i = end < 0 ? this.text.length : end;
      } else if (this.text.startsWith('/*', this.i)) {
        const end = this.text.indexOf('*/', this.i + 2);
        if (end < 0) this.fail('a comment is never closed');
        this.i = end + 2;
      } else {
        return;
      }
    }
  }

  private fail(problem: string): never {
    const before = this.text.slice(0, this.i).split('\n');
    throw new Error(`${problem} at line ${before.length}, column ${before[before.length - 1].length + 1}`);
  }
}
