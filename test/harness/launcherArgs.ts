import * as path from 'path';

/** What the launcher needs from the command line that `runTests` builds for a VS Code executable. */
export interface LauncherArgs {
  readonly extensionDevelopmentPath: string;
  readonly extensionTestsPath: string;
  readonly folder?: string;
}

/**
 * Parses `--extensionDevelopmentPath=… --extensionTestsPath=… [folder]`. Desktop-only flags that
 * runTests adds (--no-sandbox, --disable-updates, --user-data-dir=…, …) are ignored: each run
 * gets fresh user data and extensions folders.
 */
export function parseLauncherArgs(argv: readonly string[]): LauncherArgs {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      values.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (isPathFlag(arg.slice(2)) && i + 1 < argv.length) {
      values.set(arg.slice(2), argv[++i]);
    }
  }
  const extensionDevelopmentPath = values.get('extensionDevelopmentPath');
  const extensionTestsPath = values.get('extensionTestsPath');
  if (!extensionDevelopmentPath || !extensionTestsPath) {
    throw new Error('usage: vscode-launcher --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [FOLDER]');
  }
  if (positional.length > 1) {
    throw new Error(`only one folder can be opened, got: ${positional.join(' ')}`);
  }
  return {
    extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
    extensionTestsPath: path.resolve(extensionTestsPath),
    folder: positional[0] === undefined ? undefined : path.resolve(positional[0]),
  };
}

function isPathFlag(name: string): boolean {
  return ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'].includes(name);
}
