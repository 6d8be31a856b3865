import { matchesPatternList } from './hostPattern';

/** One `Keyword arguments` line of ssh_config, with the condition of the block it sits in. */
export interface SshConfigLine {
  /** Lower-case keyword. */
  readonly keyword: string;
  readonly args: readonly string[];
  readonly condition: SshConfigCondition;
  /** Where it came from, for messages: `file:line`. */
  readonly origin: string;
}

export type SshConfigCondition =
  | { readonly kind: 'always' }
  | { readonly kind: 'host'; readonly patterns: readonly string[] }
  | { readonly kind: 'match'; readonly criteria: readonly MatchCriterion[] };

export interface MatchCriterion {
  /** Lower-case criterion name: all, host, originalhost, user, localuser, … */
  readonly name: string;
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

/** Reads an Include'd file's text; undefined when it does not exist. Globs are the reader's to expand. */
export type IncludeReader = (pattern: string) => readonly { path: string; text: string }[];

/**
 * Splits ssh_config text into lines with their block conditions (ssh_config(5)): keywords are
 * case-insensitive, `Keyword value`, `Keyword=value` and double-quoted arguments all work, `#`
 * starts a comment, and `Include` splices in other files under the current block's condition.
 */
export function parseSshConfig(text: string, origin: string, readInclude?: IncludeReader, depth = 0): SshConfigLine[] {
  const lines: SshConfigLine[] = [];
  let condition: SshConfigCondition = { kind: 'always' };
  text.split(/\r?\n/).forEach((raw, index) => {
    const words = splitConfigLine(raw);
    if (words.length === 0) return;
    const keyword = words[0].toLowerCase();
    const args = words.slice(1);
    const where = `${origin}:${index + 1}`;
    if (keyword === 'host') {
      condition = { kind: 'host', patterns: args };
    } else if (keyword === 'match') {
      condition = { kind: 'match', criteria: parseMatchCriteria(args) };
    } else if (keyword === 'include') {
      // OpenSSH caps Include depth at 16 to stop cycles.
      if (!readInclude || depth >= 16) return;
      for (const pattern of args) {
        for (const file of readInclude(pattern)) {
          const included = parseSshConfig(file.text, file.path, readInclude, depth + 1);
          // Lines before the included file's first Host/Match inherit the including block's condition.
          lines.push(...included.map((line) => (line.condition.kind === 'always' ? { ...line, condition } : line)));
        }
      }
    } else {
      lines.push({ keyword, args, condition, origin: where });
    }
  });
  return lines;
}

function parseMatchCriteria(args: readonly string[]): MatchCriterion[] {
  const criteria: MatchCriterion[] = [];
  for (let i = 0; i < args.length; i++) {
    let name = args[i].toLowerCase();
    const negated = name.startsWith('!');
    if (negated) name = name.slice(1);
    if (name === 'all' || name === 'canonical' || name === 'final') {
      criteria.push({ name, negated, patterns: [] });
    } else {
      criteria.push({ name, negated, patterns: (args[++i] ?? '').split(',') });
    }
  }
  return criteria;
}

/** Words of one config line: whitespace or one `=` separates the keyword; double quotes group. */
export function splitConfigLine(raw: string): string[] {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return [];
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  let sawKeywordEquals = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') {
      quoted = true;
      inWord = true;
    } else if (char === ' ' || char === '\t' || (char === '=' && words.length === 0 && !sawKeywordEquals)) {
      if (char === '=') sawKeywordEquals = true;
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (char === '#' && !inWord) {
      break;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** What decides whether a block applies: the name the user typed and the login users. */
export interface MatchContext {
  /** The host name as given (a Host alias or an address). */
  readonly originalHost: string;
  /** After HostName substitution, once known (Match host). */
  readonly host: string;
  readonly remoteUser: string | undefined;
  readonly localUser: string;
}

function conditionApplies(condition: SshConfigCondition, context: MatchContext): boolean {
  if (condition.kind === 'always') return true;
  if (condition.kind === 'host') return matchesPatternList(context.originalHost, condition.patterns);
  return condition.criteria.every((criterion) => {
    let result: boolean;
    switch (criterion.name) {
      case 'all':
        result = true;
        break;
      case 'host':
        result = matchesPatternList(context.host, criterion.patterns);
        break;
      case 'originalhost':
        result = matchesPatternList(context.originalHost, criterion.patterns);
        break;
      case 'user':
        result = context.remoteUser !== undefined && matchesPatternList(context.remoteUser, criterion.patterns);
        break;
      case 'localuser':
        result = matchesPatternList(context.localUser, criterion.patterns);
        break;
      default:
        // exec, canonical, final, localnetwork, tagged: not evaluated here, so the block does not apply.
        return false;
    }
    return criterion.negated ? !result : result;
  });
}

/** The options of ssh_config that the connection honours, resolved for one host. */
export interface HostOptions {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly?: boolean;
  identityAgent?: string;
  proxyJump?: string;
  proxyCommand?: string;
  hostKeyAlias?: string;
  userKnownHostsFiles?: string[];
  globalKnownHostsFiles?: string[];
  hashKnownHosts?: boolean;
  strictHostKeyChecking?: string;
  connectTimeoutSeconds?: number;
  serverAliveIntervalSeconds?: number;
  serverAliveCountMax?: number;
}

/**
 * Applies config lines for one host: the first value obtained for each option wins, except
 * IdentityFile, which accumulates (ssh_config(5)). Match blocks see HostName/User as set so far.
 */
export function resolveHostOptions(lines: readonly SshConfigLine[], context: Omit<MatchContext, 'host'>): HostOptions {
  const options: HostOptions = { identityFiles: [] };
  const set = <K extends keyof HostOptions>(key: K, value: HostOptions[K]): void => {
    if (options[key] === undefined) options[key] = value;
  };
  for (const line of lines) {
    const matchContext: MatchContext = {
      ...context,
      host: options.hostName ?? context.originalHost,
      remoteUser: context.remoteUser ?? options.user,
    };
    if (!conditionApplies(line.condition, matchContext)) continue;
    const [first] = line.args;
    if (first === undefined) continue;
    switch (line.keyword) {
      case 'hostname':
        set('hostName', first);
        break;
      case 'user':
        set('user', first);
        break;
      case 'port': {
        const port = Number(first);
        if (Number.isInteger(port) && port > 0 && port < 65536) set('port', port);
        break;
      }
      case 'identityfile':
        if (first.toLowerCase() !== 'none') options.identityFiles.push(first);
        break;
      case 'identitiesonly':
        set('identitiesOnly', isYes(first));
        break;
      case 'identityagent':
        set('identityAgent', first);
        break;
      case 'proxyjump':
        set('proxyJump', first);
        break;
      case 'proxycommand':
        set('proxyCommand', line.args.join(' '));
        break;
      case 'hostkeyalias':
        set('hostKeyAlias', first);
        break;
      case 'userknownhostsfile':
        set('userKnownHostsFiles', [...line.args]);
        break;
      case 'globalknownhostsfile':
        set('globalKnownHostsFiles', [...line.args]);
        break;
      case 'hashknownhosts':
        set('hashKnownHosts', isYes(first));
        break;
      case 'stricthostkeychecking':
        set('strictHostKeyChecking', first.toLowerCase());
        break;
      case 'connecttimeout':
        set('connectTimeoutSeconds', positiveNumber(first));
        break;
      case 'serveraliveinterval':
        set('serverAliveIntervalSeconds', positiveNumber(first));
        break;
      case 'serveralivecountmax':
        set('serverAliveCountMax', positiveNumber(first));
        break;
    }
  }
  return options;
}

function isYes(value: string): boolean {
  return ['yes', 'true'].includes(value.toLowerCase());
}

function positiveNumber(value: string): number | undefined {
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** Values for ssh_config's % tokens (ssh_config(5) TOKENS). */
export interface TokenValues {
  /** %h: the remote host name (after HostName). */
  readonly host: string;
  /** %n: the original host name. */
  readonly originalHost: string;
  readonly port: number;
  /** %r */
  readonly remoteUser: string;
  /** %u */
  readonly localUser: string;
  /** %d, and what `~` stands for. */
  readonly localHome: string;
}

/** Expands `~`, `%h %n %p %r %u %d %%` in a path-like option (IdentityFile, UserKnownHostsFile, …). */
export function expandTokens(value: string, tokens: TokenValues): string {
  const withHome = value === '~' || value.startsWith('~/') ? tokens.localHome + value.slice(1) : value;
  return withHome.replace(/%(.)/g, (whole, token: string) => {
    switch (token) {
      case '%':
        return '%';
      case 'h':
        return tokens.host;
      case 'n':
        return tokens.originalHost;
      case 'p':
        return String(tokens.port);
      case 'r':
        return tokens.remoteUser;
      case 'u':
        return tokens.localUser;
      case 'd':
        return tokens.localHome;
      default:
        return whole;
    }
  });
}
