import type { RemoteCommand, RemoteCommandRunner } from '../../logs/remoteCommandRunner';
import type { SshConnectionPool } from '../../ssh/connectionPool';
import type { SshTarget } from '../../ssh/sshTarget';

/** The log readers' view of a host (log followers, GPU telemetry): commands streamed over the pooled connection. */
export function poolCommandRunner(pool: SshConnectionPool, target: SshTarget): RemoteCommandRunner {
  return {
    start(argv, handlers): RemoteCommand {
      let kill: (() => void) | undefined;
      let cancelled = false;
      const result = (async () => {
        const process = await pool.spawn(target, argv);
        kill = () => process.kill();
        if (cancelled) kill();
        process.stdout.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
        process.stderr.on('data', (chunk: Buffer) => handlers.onStderr?.(chunk));
        process.stdin.end();
        const status = await process.exit;
        return { exitCode: status.code, signal: status.signal ?? undefined };
      })();
      return {
        result,
        cancel: () => {
          cancelled = true;
          kill?.();
        },
      };
    },
  };
}
