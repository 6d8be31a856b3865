// The SSH layer: pooled connections, host keys, ssh_config, exec/stream, quoting. No VS Code here.
export { SshConnectionPool, type SshConnectionPoolOptions, type SshSettings } from './connectionPool';
export type { ChangedHostKey, HostKeyPrompt, PassphrasePrompt, PassphraseStore, UnknownHostKey } from './credentials';
export * from './errors';
export type { CommandContext } from './remoteCommand';
export { shellQuote } from './shellQuote';
export { SshConnection, type ExecOptions, type ExitStatus, type RemoteProcess, type SpawnOptions, type TextResult } from './sshConnection';
export type { SshEndpoint } from './sshEndpoint';
export { azureVmTarget, describeTarget, parseSshDestination, type AzureVmAddress, type SshTarget } from './sshTarget';
