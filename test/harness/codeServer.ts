import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertCodeServerInstalled, codeServerEntry, node24Path } from './paths';
import { ProcessGroup } from './processGroup';
import { writeUserSettings } from './userSettings';

export interface CodeServerOptions {
  /** Extra environment for the server and so for the extension host (e.g. a sandbox cloud). */
  readonly env?: Readonly<Record<string, string>>;
  /** User settings on top of the quiet defaults. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Reuse an extensions folder, e.g. one that `installExtension` filled; default: an empty one. */
  readonly extensionsDir?: string;
  /** Lets the page's `payload` URL parameter set extensionDevelopmentPath / extensionTestsPath. */
  readonly smokeTestDriver?: boolean;
  /** Each line of the server's stdout and stderr. */
  readonly onOutput?: (line: string) => void;
  /** Keep the per-run folder (user data, logs, temp files) after stop, for debugging. */
  readonly keepRunDir?: boolean;
  readonly startTimeoutMs?: number;
  /** Port on 127.0.0.1; any free port when absent. */
  readonly port?: number;
}

export interface CodeServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** `127.0.0.1:PORT`: the authority of `vscode-remote://` URIs the workbench uses. */
  readonly authority: string;
  readonly runDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Stops the server and all its children, then removes the per-run folder. */
  stop(): Promise<void>;
}

const listeningLine = /HTTP server listening on (http:\/\/[^\s]+)/;

/** Server flags that keep it quiet, local, and out of the user's home folder. */
export function codeServerArgs(runDir: string, extensionsDir: string, smokeTestDriver: boolean, port = 0): string[] {
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    '--user-data-dir',
    path.join(runDir, 'user-data'),
    '--extensions-dir',
    extensionsDir,
    '--config',
    path.join(runDir, 'config.yaml'),
  ];
  if (smokeTestDriver) {
    args.push('--vscode-option', 'enable-smoke-test-driver');
  }
  return args;
}

/** A per-run folder with user data, config and temp dir, so that runs never share state. */
export function makeRunDir(prefix = 'azure-pytorch-vscode-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Environment for code-server: TMPDIR per run, since the server leaves IPC sockets there; an empty
 * extensions gallery, so that the workbench never looks up an outside host for updates.
 */
export function codeServerEnv(runDir: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const tmpDir = path.join(runDir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  return { ...process.env, EXTENSIONS_GALLERY: '{}', TMPDIR: tmpDir, ...extra };
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  assertCodeServerInstalled();
  const runDir = makeRunDir();
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(runDir, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, options.settings);

  const group = ProcessGroup.spawn(
    node24Path,
    [codeServerEntry, ...codeServerArgs(runDir, extensionsDir, options.smokeTestDriver ?? false, options.port)],
    { cwd: runDir, env: codeServerEnv(runDir, options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const removeRunDir = (): void => {
    if (!options.keepRunDir && !process.env.AZURE_PYTORCH_KEEP_RUN_DIR) {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  };
  const stop = async (): Promise<void> => {
    await group.stop();
    removeRunDir();
  };

  try {
    const url = await waitForListeningUrl(group, output, options);
    await waitForHealthy(url, options.startTimeoutMs ?? 30_000);
    return {
      url,
      authority: new URL(url).host,
      runDir,
      userDataDir,
      extensionsDir,
      output: () => output.join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\ncode-server output:\n${output.join('\n')}`, { cause: error });
  }
}

function waitForListeningUrl(group: ProcessGroup, output: string[], options: CodeServerOptions): Promise<string> {
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not listen within ${timeoutMs} ms`)), timeoutMs);
    const onLine = (line: string): void => {
      output.push(line);
      options.onOutput?.(line);
      const match = listeningLine.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].endsWith('/') ? match[1] : `${match[1]}/`);
      }
    };
    forEachLine(group.child.stdout, onLine);
    forEachLine(group.child.stderr, onLine);
    group.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (${code ?? signal})`));
    });
  });
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let pending = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  stream?.on('end', () => pending && onLine(pending));
}

async function waitForHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(new URL('healthz', url));
      if (response.ok) {
        return;
      }
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server at ${url} not healthy within ${timeoutMs} ms: ${lastError}`);
}
