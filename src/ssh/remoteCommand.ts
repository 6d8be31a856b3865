import { shellQuote } from './shellQuote';

/** Where and with what environment a remote argv runs. */
export interface CommandContext {
  /** Working folder; relative paths are relative to the login user's home. */
  readonly cwd?: string;
  /** Extra environment variables (set with `env`, as sshd refuses most SendEnv names). */
  readonly env?: Readonly<Record<string, string>>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The command line sent to sshd for an argv: only quoted words, so the login shell (bash, zsh,
 * dash, fish) reads exactly the argv. A working folder goes through a tiny POSIX `sh` script whose
 * arguments are, again, plain words.
 */
export function remoteCommandLine(argv: readonly string[], context: CommandContext = {}): string {
  if (argv.length === 0) throw new Error('A remote command needs at least a program name');
  let words = [...argv];
  if (context.cwd !== undefined) words = ['sh', '-c', 'cd -- "$1" || exit 125; shift; exec "$@"', 'sh', context.cwd, ...words];
  const env = Object.entries(context.env ?? {});
  if (env.length > 0) {
    for (const [name] of env) if (!ENV_NAME.test(name)) throw new Error(`Invalid environment variable name: ${name}`);
    words = ['env', ...env.map(([name, value]) => `${name}=${value}`), ...words];
  }
  return shellQuote(words);
}
