/** One compiled gitignore pattern. */
export interface IgnoreRule {
  readonly pattern: string;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
  readonly regex: RegExp;
  /** `file:line`, or a setting's name, for the excluded-files summary. */
  readonly source: string;
}

/** The rules of one ignore file, which apply to paths under the folder holding it. */
export interface IgnoreRuleSet {
  /** Workspace-relative folder ('' for the root), '/'-separated. */
  readonly base: string;
  readonly rules: readonly IgnoreRule[];
}

/** Parses gitignore text (gitignore(5)); `source` names the file in messages. */
export function parseIgnoreFile(text: string, source: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const rule = compileIgnorePattern(line, `${source}:${index + 1}`);
    if (rule) rules.push(rule);
  });
  return rules;
}

/**
 * Compiles one gitignore line: `#` comments, `\#`/`\!` escapes, trailing spaces (unless escaped),
 * `!` negation, a trailing `/` for folders only, a leading or middle `/` anchoring the pattern to
 * its file's folder, `*`, `?`, `[…]` within one path segment, and `**` across segments.
 */
export function compileIgnorePattern(line: string, source: string): IgnoreRule | undefined {
  let pattern = line.replace(/(?<!\\)[ \t]+$/, '');
  if (pattern === '' || pattern.startsWith('#')) return undefined;
  let negated = false;
  if (pattern.startsWith('!')) {
    negated = true;
    pattern = pattern.slice(1);
  }
  let directoryOnly = false;
  if (pattern.endsWith('/') && !pattern.endsWith('\\/')) {
    directoryOnly = true;
    pattern = pattern.replace(/\/+$/, '');
  }
  if (pattern === '') return undefined;
  const anchored = pattern.includes('/');
  if (pattern.startsWith('/')) pattern = pattern.slice(1);
  const body = translate(pattern);
  const regex = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`, 's');
  return { pattern: line.trim(), negated, directoryOnly, regex, source };
}

function translate(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      const atStart = i === 0 || pattern[i - 1] === '/';
      const atEnd = i + 2 === pattern.length;
      const slashAfter = pattern[i + 2] === '/';
      if (atStart && slashAfter) {
        out += '(?:.*/)?'; // `**/`: zero or more folders
        i += 3;
        continue;
      }
      if (atStart && atEnd && i > 0) {
        out += '.*'; // `/**`: everything inside
        i += 2;
        continue;
      }
      out += '[^/]*';
      i += 2;
      continue;
    }
    if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const close = findClassEnd(pattern, i);
      if (close < 0) out += '\\[';
      else {
        let inner = pattern.slice(i + 1, close);
        let negate = false;
        if (inner.startsWith('!') || inner.startsWith('^')) {
          negate = true;
          inner = inner.slice(1);
        }
        out += `(?!/)[${negate ? '^' : ''}${inner.replace(/\\/g, '\\\\').replace(/\]/g, '\\]')}]`;
        i = close + 1;
        continue;
      }
    } else if (char === '\\' && i + 1 < pattern.length) {
      out += escapeRegex(pattern[i + 1]);
      i += 2;
      continue;
    } else out += escapeRegex(char);
    i++;
  }
  return out;
}

function findClassEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++; // a `]` first in the class is literal
  for (; i < pattern.length; i++) if (pattern[i] === ']') return i;
  return -1;
}

function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** The verdict for one path: ignored or not, and the rule that decided (the last that matched). */
export interface IgnoreVerdict {
  readonly ignored: boolean;
  readonly rule: IgnoreRule | undefined;
}

/**
 * Decides a workspace-relative path against rule sets ordered from lowest to highest precedence
 * (settings, then ignore files from the root down): the last matching rule wins, as in git.
 */
export function checkIgnored(ruleSets: readonly IgnoreRuleSet[], path: string, isDirectory: boolean): IgnoreVerdict {
  let verdict: IgnoreVerdict = { ignored: false, rule: undefined };
  for (const { base, rules } of ruleSets) {
    if (base !== '' && !path.startsWith(`${base}/`)) continue;
    const relative = base === '' ? path : path.slice(base.length + 1);
    for (const rule of rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.regex.test(relative)) verdict = { ignored: !rule.negated, rule };
    }
  }
  return verdict;
}
