import { expandTokens, resolveHostOptions, type SshConfigLine } from './sshConfig';
import { parseSshDestination, type SshTarget } from './sshTarget';

/** Facts about the local machine that ssh_config resolution needs. */
export interface LocalEnvironment {
  readonly user: string;
  readonly home: string;
  /** `SSH_AUTH_SOCK`, when an agent runs. */
  readonly agentSocket: string | undefined;
  /** Environment variables, for `IdentityAgent $VAR`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A target with ssh_config applied: everything needed to open one connection. */
export interface SshEndpoint {
  /** The name as given (alias or address), for messages and the pool's key. */
  readonly originalHost: string;
  /** The address dialled (after HostName). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly label: string;
  /** Private key files to offer, in order (expanded; missing ones are skipped when connecting). */
  readonly identityFiles: readonly string[];
  readonly identitiesOnly: boolean;
  /** The agent's socket; undefined for none. */
  readonly agentSocket: string | undefined;
  /** The jump host this one is reached through (ProxyJump), itself resolved. */
  readonly via: SshEndpoint | undefined;
  readonly proxyCommand: string | undefined;
  /** The name host keys are looked up and recorded under (HostKeyAlias, else host). */
  readonly hostKeyName: string;
  readonly userKnownHostsFiles: readonly string[];
  readonly globalKnownHostsFiles: readonly string[];
  readonly hashKnownHosts: boolean;
  /** StrictHostKeyChecking yes: unknown keys are refused without asking. */
  readonly refuseUnknownHostKeys: boolean;
  readonly connectTimeoutMs: number | undefined;
  readonly keepaliveIntervalMs: number | undefined;
  readonly keepaliveCountMax: number | undefined;
}

/** OpenSSH's default identities, tried when ssh_config names none. */
export const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'];

export interface ResolveOptions {
  readonly config: readonly SshConfigLine[];
  readonly local: LocalEnvironment;
  /** A key from settings, tried after those of ssh_config. */
  readonly extraIdentityFile?: string;
}

/**
 * Applies ssh_config to a target the way `ssh` does: Host blocks match the name given, explicit
 * user/port win over the config, IdentityFile/UserKnownHostsFile get their tokens expanded, and
 * ProxyJump `a,b` means: reach b through a, then the target through b (each hop with its own config).
 */
export function resolveEndpoint(target: SshTarget, options: ResolveOptions, depth = 0): SshEndpoint {
  if (depth > 8) throw new Error(`ProxyJump chain for ${target.host} is too long (a loop in ~/.ssh/config?)`);
  const { config, local } = options;
  const found = resolveHostOptions(config, { originalHost: target.host, remoteUser: target.user, localUser: local.user });
  const port = target.port ?? found.port ?? 22;
  const user = target.user ?? found.user ?? local.user;
  const hostName = found.hostName
    ? expandTokens(found.hostName, {
        host: target.host,
        originalHost: target.host,
        port,
        remoteUser: user,
        localUser: local.user,
        localHome: local.home,
      })
    : target.host;
  const tokens = { host: hostName, originalHost: target.host, port, remoteUser: user, localUser: local.user, localHome: local.home };
  const expand = (value: string): string => expandTokens(value, tokens);

  const identityFiles = found.identityFiles.map(expand);
  if (options.extraIdentityFile) identityFiles.push(expand(options.extraIdentityFile));
  if (found.identityFiles.length === 0) {
    identityFiles.push(...DEFAULT_IDENTITY_FILES.map((name) => `${local.home}/.ssh/${name}`));
  }

  let via: SshEndpoint | undefined;
  if (found.proxyJump && found.proxyJump.toLowerCase() !== 'none') {
    via = resolveJumpChain(found.proxyJump.split(','), options, depth);
  }

  return {
    originalHost: target.host,
    host: hostName,
    port,
    user,
    label: target.label ?? target.host,
    identityFiles: [...new Set(identityFiles)],
    identitiesOnly: found.identitiesOnly ?? false,
    agentSocket: agentSocket(found.identityAgent, local, expand),
    via,
    proxyCommand: found.proxyCommand && found.proxyCommand.toLowerCase() !== 'none' ? found.proxyCommand : undefined,
    hostKeyName: found.hostKeyAlias ?? hostName,
    userKnownHostsFiles: (found.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'])
      .filter((file) => file.toLowerCase() !== 'none')
      .map(expand),
    globalKnownHostsFiles: (found.globalKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'])
      .filter((file) => file.toLowerCase() !== 'none')
      .map(expand),
    hashKnownHosts: found.hashKnownHosts ?? false,
    refuseUnknownHostKeys: found.strictHostKeyChecking === 'yes' || found.strictHostKeyChecking === 'true',
    connectTimeoutMs: found.connectTimeoutSeconds !== undefined ? found.connectTimeoutSeconds * 1000 : undefined,
    keepaliveIntervalMs: found.serverAliveIntervalSeconds ? found.serverAliveIntervalSeconds * 1000 : undefined,
    keepaliveCountMax: found.serverAliveCountMax,
  };
}

/** `a,b,c`: c is reached through b, b through a, a through its own config. */
function resolveJumpChain(hops: readonly string[], options: ResolveOptions, depth: number): SshEndpoint {
  const last = hops[hops.length - 1].trim();
  const hop = resolveEndpoint(parseSshDestination(last), options, depth + 1);
  if (hops.length === 1) return hop;
  return { ...hop, via: resolveJumpChain(hops.slice(0, -1), options, depth + 1) };
}

function agentSocket(identityAgent: string | undefined, local: LocalEnvironment, expand: (value: string) => string): string | undefined {
  if (identityAgent === undefined || identityAgent === 'SSH_AUTH_SOCK') return local.agentSocket || undefined;
  if (identityAgent.toLowerCase() === 'none') return undefined;
  if (identityAgent.startsWith('$')) return local.env[identityAgent.slice(1)] || undefined;
  return expand(identityAgent);
}

/** A stable key for the pool: one connection per user, address, port and route. */
export function endpointKey(endpoint: SshEndpoint): string {
  const own = `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
  return endpoint.via ? `${endpointKey(endpoint.via)}>${own}` : own;
}
