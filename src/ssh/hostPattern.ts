/**
 * OpenSSH's pattern matching (match.c): `*` matches any run of characters, `?` exactly one, and
 * nothing else is special. Comparison is case-insensitive, as host names are.
 */
export function matchesWildcard(text: string, pattern: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.+()[\]{}|]/g, '\\$&')))
      .join('')}$`,
    'is',
  );
  return regex.test(text);
}

/**
 * A comma-separated pattern list (`a,*.b,!c.b`): true when some pattern matches and no negated
 * pattern (`!pattern`) does, as OpenSSH's match_hostname.
 */
export function matchesPatternList(text: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchesWildcard(text, pattern.slice(1))) return false;
    } else if (matchesWildcard(text, pattern)) {
      matched = true;
    }
  }
  return matched;
}
