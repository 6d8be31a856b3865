import * as fs from 'node:fs';
import { Client } from 'ssh2';
import type { RemoteCommand, RemoteCommandRunner, RemoteCommandRunnerProvider } from '../../../src/logs/remoteCommandRunner';
import type { SimulatedHosts } from '../../sandbox/hosts';

// Stands in for the SSH layer's pooled connection (issue 4) until the follower is wired to it:
// one ssh2 connection, replaced by a new one once it drops.
export function ssh2RunnerProvider(hosts: SimulatedHosts, name: string): { provider: RemoteCommandRunnerProvider; dispose(): void } {
  let current: Promise<Client> | undefined;
  let disposed = false;
  const clients = new Set<Client>();
  const connect = (): Promise<Client> =>
    new Promise((resolve, reject) => {
      const host = hosts.host(name);
      const client = new Client();
      clients.add(client);
      const forget = () => {
        clients.delete(client);
        if (current === promise) current = undefined;
      };
      client.once('ready', () => resolve(client));
      client.once('error', (error) => {
        forget();
        reject(error);
      });
      // A connection cut during its handshake closes without an error: fail it, or its users wait forever.
      client.once('close', () => {
        forget();
        reject(new Error('connection closed before it was ready'));
      });
      client.connect({
        host: host.address,
        port: host.port,
        username: hosts.user,
        privateKey: fs.readFileSync(hosts.privateKeyPath),
        keepaliveInterval: 1000,
        keepaliveCountMax: 3,
        readyTimeout: 5000,
      });
    });
  let promise: Promise<Client>;
  const provider: RemoteCommandRunnerProvider = async () => {
    if (disposed) throw new Error('disposed');
    if (!current) current = promise = connect();
    const client = await current;
    return runnerOf(client);
  };
  return {
    provider,
    dispose() {
      disposed = true;
      for (const client of clients) client.end();
    },
  };
}

function runnerOf(client: Client): RemoteCommandRunner {
  return {
    start(argv, handlers): RemoteCommand {
      let cancel = () => {};
      const result = new Promise<{ exitCode: number | null; signal?: string }>((resolve, reject) => {
        const onClientGone = () => reject(new Error('connection closed'));
        client.once('close', onClientGone);
        client.exec(argv.map(quote).join(' '), (error, channel) => {
          if (error) {
            client.off('close', onClientGone);
            reject(error);
            return;
          }
          let exitCode: number | null = null;
          let signal: string | undefined;
          cancel = () => channel.close();
          channel.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
          channel.stderr.on('data', (chunk: Buffer) => handlers.onStderr?.(chunk));
          channel.on('exit', (code: number | null, signalName?: string) => {
            exitCode = code;
            signal = signalName;
          });
          channel.on('close', () => {
            client.off('close', onClientGone);
            if (exitCode === null && signal === undefined) reject(new Error('channel closed without exit status'));
            else resolve({ exitCode, signal });
          });
        });
      });
      return { result, cancel: () => cancel() };
    },
  };
}

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
