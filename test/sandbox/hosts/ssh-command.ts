import { spawn, type ChildProcess } from 'node:child_process';

/** What ssh needs of the simulated hosts (SimulatedHosts has it): the account, its key and known_hosts. */
export interface SshAccess {
  readonly user: string;
  readonly privateKeyPath: string;
  readonly knownHostsPath: string;
  host(name: string): { readonly address: string; readonly port: number };
}

export interface SshResult {
  /** Exit status of the remote command; 255 when ssh itself failed (refused, reset, host key). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SshRunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** `-o` options such as `ConnectTimeout=1`; they win over the defaults (OpenSSH keeps the first value). */
  sshOptions?: readonly string[];
}

/**
 * Arguments for the OpenSSH client to run `command` on a simulated host with the sandbox's key,
 * checking the host key against the sandbox's known_hosts only (no ~/.ssh/config, no prompts).
 */
export function sshArguments(hosts: SshAccess, name: string, command: string, sshOptions: readonly string[] = []): string[] {
  const host = hosts.host(name);
  const options = [
    ...sshOptions,
    'BatchMode=yes',
    'IdentitiesOnly=yes',
    'StrictHostKeyChecking=yes',
    `UserKnownHostsFile=${hosts.knownHostsPath}`,
    'GlobalKnownHostsFile=/dev/null',
    'ConnectTimeout=5',
    'LogLevel=ERROR',
  ];
  return [
    ...['-F', '/dev/null', '-i', hosts.privateKeyPath, '-p', String(host.port)],
    ...options.flatMap((option) => ['-o', option]),
    `${hosts.user}@${host.address}`,
    '--',
    command,
  ];
}

/** Starts `ssh` running `command` on a host (asynchronously: the hosts' relays live in this process). */
export function spawnSsh(hosts: SshAccess, name: string, command: string, sshOptions: readonly string[] = []): ChildProcess {
  return spawn('ssh', sshArguments(hosts, name, command, sshOptions), { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs `command` on a host to its end. */
export function runOverSsh(
  hosts: SshAccess,
  name: string,
  command: string,
  { input = '', sshOptions = [] }: SshRunOptions = {},
): Promise<SshResult> {
  return collect(spawnSsh(hosts, name, command, sshOptions), input);
}

function collect(child: ChildProcess, input: string): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(input);
  });
}
