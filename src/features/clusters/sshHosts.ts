/**
 * The SSH Hosts of the Clusters view: the concrete Host aliases of ~/.ssh/config and the hosts the
 * user added (azurePytorch.ssh.hosts). Pure: the view reads the files and settings.
 */
import type { SshConfigLine } from '../../ssh/sshConfig';
import { describeTarget, type SshTarget } from '../../ssh/sshTarget';

export interface SshHostEntry {
  /** An alias of ~/.ssh/config, or `user@host[:port]`. */
  readonly host: string;
  readonly source: 'sshConfig' | 'added';
}

/** Host patterns that name one host: no wildcard, no negation. */
export function sshConfigAliases(lines: readonly SshConfigLine[]): string[] {
  const aliases = new Set<string>();
  for (const line of lines) {
    if (line.condition.kind !== 'host') continue;
    for (const pattern of line.condition.patterns) {
      if (!/[*?!]/.test(pattern)) aliases.add(pattern);
    }
  }
  return [...aliases];
}

/** The hosts to list: added ones first as the user ordered them, then the config's, each once. */
export function sshHostEntries(configAliases: readonly string[], added: readonly string[]): SshHostEntry[] {
  const seen = new Set<string>();
  const entries: SshHostEntry[] = [];
  for (const [host, source] of [
    ...added.map((h) => [h.trim(), 'added'] as const),
    ...configAliases.map((h) => [h, 'sshConfig'] as const),
  ]) {
    if (!host || seen.has(host.toLowerCase())) continue;
    seen.add(host.toLowerCase());
    entries.push({ host, source });
  }
  return entries;
}

const USER = '[A-Za-z0-9._][A-Za-z0-9._-]*';
const NAME = '[A-Za-z0-9][A-Za-z0-9.-]*';
const IPV6 = '\\[[0-9A-Fa-f:.]+\\]';
const SPEC = new RegExp(`^(?:(${USER})@)?(${NAME}|${IPV6})(?::(\\d{1,5}))?$`);

/**
 * Why `user@host[:port]` (or a Host alias) cannot be an SSH host, or undefined when it can. Refuses
 * spaces and a leading `-`, which ssh would read as an option.
 */
export function sshHostSpecProblem(spec: string): string | undefined {
  const text = spec.trim();
  if (!text) return 'Enter a host: user@host, user@host:port, or a Host alias of ~/.ssh/config.';
  if (text.startsWith('-')) return 'A host cannot start with "-".';
  const match = SPEC.exec(text);
  if (!match) return `"${text}" is not user@host[:port] or a Host alias (letters, digits, ".", "-"; IPv6 in [brackets]).`;
  if (match[3] !== undefined) {
    const port = Number(match[3]);
    if (port < 1 || port > 65535) return `Port ${match[3]} is not between 1 and 65535.`;
  }
  return undefined;
}

/**
 * The remote authority the Remote-SSH extension opens: `ssh-remote+<alias>` for a bare alias,
 * else its hex-encoded JSON form, which carries a user and port without relying on ~/.ssh/config.
 * Remote-SSH hands the host to `ssh`, so a target that is not a host (`-oProxyCommand=…`) throws.
 */
export function remoteSshAuthority(target: Pick<SshTarget, 'host' | 'user' | 'port'>): string {
  const problem = sshHostSpecProblem(describeTarget(target));
  if (problem) throw new Error(`Remote-SSH cannot open this host: ${problem}`);
  if (!target.user && !target.port) return `ssh-remote+${target.host}`;
  const json = JSON.stringify({
    hostName: target.host,
    ...(target.user ? { user: target.user } : {}),
    ...(target.port ? { port: target.port } : {}),
  });
  return `ssh-remote+${Buffer.from(json, 'utf8').toString('hex')}`;
}
