/** Where to connect, as features name it: an ssh_config Host alias or an address, with overrides. */
export interface SshTarget {
  /** A Host alias of ~/.ssh/config, a DNS name or an IP address. */
  readonly host: string;
  /** Overrides ssh_config's Port (like `ssh -p`). */
  readonly port?: number;
  /** Overrides ssh_config's User (like `ssh -l`). */
  readonly user?: string;
  /** A name for messages and prompts, e.g. the VM's name. */
  readonly label?: string;
}

/**
 * Parses a destination as `ssh` accepts one: `[user@]host`, `[user@]host:port`, `[user@][v6]:port`
 * or `ssh://[user@]host[:port]`. A bare IPv6 address is taken whole.
 */
export function parseSshDestination(destination: string): SshTarget {
  let rest = destination.trim();
  if (rest === '') throw new Error('An SSH destination cannot be empty');
  const uri = rest.toLowerCase().startsWith('ssh://');
  if (uri) rest = rest.slice('ssh://'.length).replace(/\/$/, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = uri ? decodeURIComponent(rest.slice(0, at)) : rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] !== undefined ? Number(bracketed[2]) : undefined;
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [name, portText] = rest.split(':');
    if (!/^\d+$/.test(portText ?? '')) throw new Error(`Invalid port in SSH destination "${destination}"`);
    host = name!;
    port = Number(portText);
  }
  if (host === '' || user === '') throw new Error(`Invalid SSH destination "${destination}"`);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`Invalid port in SSH destination "${destination}"`);
  return { host, ...(port !== undefined ? { port } : {}), ...(user !== undefined ? { user } : {}) };
}

/** The parts of an Azure VM that say how to reach it over SSH. */
export interface AzureVmAddress {
  readonly name: string;
  readonly adminUsername: string;
  readonly publicIp?: string;
  readonly privateIp?: string;
}

/** An Azure VM's target: its public IP, or its private IP when the setting says so; its OS admin user. */
export function azureVmTarget(vm: AzureVmAddress, usePrivateIp: boolean): SshTarget {
  const host = usePrivateIp ? vm.privateIp : vm.publicIp;
  if (!host) {
    throw new Error(
      usePrivateIp
        ? `VM ${vm.name} has no private IP address`
        : `VM ${vm.name} has no public IP address (set azurePytorch.ssh.usePrivateIp to reach it over a VPN)`,
    );
  }
  return { host, user: vm.adminUsername, label: vm.name };
}

/** `user@host:port` for messages. */
export function describeTarget(target: SshTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.user ? `${target.user}@` : ''}${host}${target.port ? `:${target.port}` : ''}`;
}
