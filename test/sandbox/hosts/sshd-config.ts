export interface SshdConfigOptions {
  listenAddress: string;
  listenPort: number;
  hostKeyPath: string;
  /** The only account that may log in. */
  user: string;
  /** Absolute path; without it, the user's own ~/.ssh/authorized_keys (as on a real VM). */
  authorizedKeysFile?: string;
  /** sshd's ownership checks of home and keys; off only where the keys live in a temp folder. */
  strictModes: boolean;
  /** Session environment; SetEnv overrides sshd's defaults (PATH included). */
  environment: Record<string, string>;
}

/** sshd_config of one simulated host: key authentication only, one user, sftp, no PAM. */
export function renderSshdConfig(options: SshdConfigOptions): string {
  const environment = Object.entries(options.environment).map(([name, value]) => `"${name}=${value}"`);
  const lines = [
    `ListenAddress ${options.listenAddress}:${options.listenPort}`,
    `HostKey ${options.hostKeyPath}`,
    'PidFile none',
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin no',
    `AllowUsers ${options.user}`,
    `StrictModes ${options.strictModes ? 'yes' : 'no'}`,
    ...(options.authorizedKeysFile ? [`AuthorizedKeysFile ${options.authorizedKeysFile}`] : []),
    'Subsystem sftp internal-sftp',
    'ClientAliveInterval 5',
    'ClientAliveCountMax 3',
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    'PrintMotd no',
    'X11Forwarding no',
    ...(environment.length > 0 ? [`SetEnv ${environment.join(' ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
