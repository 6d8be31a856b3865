/**
 * Bench: activation cost of the extension host bundle with the Azure layer not yet loaded.
 *
 *   Node:    each round a fresh `node` loads dist/extension.js and runs activate() against a
 *            stand-in `vscode` module, then loads dist/azure.js (the peer: what activation would
 *            cost if it loaded the Azure SDK).
 *   VS Code: with --vscode, the activation time the real workbench reports (Developer: Show
 *            Running Extensions) for the packaged extension (dist/azure-pytorch.vsix, from
 *            `npm run package`) after "Azure PyTorch: Refresh" activates it.
 *
 *   npm run build && node out/bench/activation.js [rounds] [--vscode]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '..', '..');

/** Runs in the child: a `vscode` whose every member is a callable, constructible no-op. */
const childScript = `
const Module = require('module');
const path = require('path');
const root = process.argv[1];
function stub() {
  const target = function () {};
  return new Proxy(target, {
    get: (t, key) =>
      key === 'then' ? undefined
      : key === Symbol.iterator ? [][Symbol.iterator]
      : key === Symbol.toPrimitive ? () => ''
      : stub(),
    apply: () => stub(),
    construct: () => stub(),
  });
}
// esbuild copies the module's own names (__toESM): name the members the bundle uses.
const names = JSON.parse(process.argv[2]);
const vscode = new Proxy({}, {
  get: (t, key) => key === '__esModule' ? undefined : stub(),
  ownKeys: () => names,
  getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true, value: stub() }),
});
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const packageJSON = JSON.parse(require('fs').readFileSync(path.join(root, 'package.json'), 'utf8'));
const memento = { get: () => undefined, update: async () => {}, keys: () => [] };
const context = {
  subscriptions: [], extension: { packageJSON }, globalState: memento, workspaceState: memento,
  extensionUri: stub(), globalStorageUri: stub(), storageUri: undefined, secrets: stub(),
  extensionPath: root, asAbsolutePath: (p) => path.join(root, p),
};
let t = performance.now();
const extension = require(path.join(root, 'dist', 'extension.js'));
const loadMs = performance.now() - t;
t = performance.now();
extension.activate(context);
const activateMs = performance.now() - t;
const azureLoaded = Object.keys(require.cache).some((f) => f.endsWith(path.join('dist', 'azure.js')));
t = performance.now();
require(path.join(root, 'dist', 'azure.js'));
const azureMs = performance.now() - t;
process.stdout.write(JSON.stringify({ loadMs, activateMs, azureLoaded, azureMs }));
`;

interface Round {
  loadMs: number;
  activateMs: number;
  azureLoaded: boolean;
  azureMs: number;
}

function parseRound(output: string): Round {
  const value: unknown = JSON.parse(output);
  if (
    typeof value === 'object' &&
    value !== null &&
    'loadMs' in value &&
    'activateMs' in value &&
    'azureMs' in value &&
    'azureLoaded' in value
  ) {
    const { loadMs, activateMs, azureMs, azureLoaded } = value;
    if (typeof loadMs === 'number' && typeof activateMs === 'number' && typeof azureMs === 'number' && typeof azureLoaded === 'boolean') {
      return { loadMs, activateMs, azureMs, azureLoaded };
    }
  }
  throw new Error(`unexpected output of the measuring process: ${output}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The `vscode` members the bundle uses (`vscode3.window`…). */
function vscodeMembers(): string[] {
  const bundle = fs.readFileSync(path.join(repoRoot, 'dist', 'extension.js'), 'utf8');
  return [...new Set([...bundle.matchAll(/\bvscode\d*\.([A-Za-z_]+)/g)].map((m) => m[1]))];
}

function nodeRounds(rounds: number): void {
  const results: Round[] = [];
  const names = JSON.stringify(vscodeMembers());
  for (let i = 0; i < rounds; i++) {
    const output = execFileSync(process.execPath, ['-e', childScript, repoRoot, names], { encoding: 'utf8' });
    results.push(parseRound(output));
  }
  if (results.some((r) => r.azureLoaded)) throw new Error('activate() loaded dist/azure.js');
  const activation = median(results.map((r) => r.loadMs + r.activateMs));
  const azure = median(results.map((r) => r.azureMs));
  console.log(
    `Node, ${rounds} fresh processes: dist/extension.js load + activate() ${activation.toFixed(1)} ms ` +
      `(load ${median(results.map((r) => r.loadMs)).toFixed(1)}, activate ${median(results.map((r) => r.activateMs)).toFixed(1)}); ` +
      `the Azure layer, not loaded by activation, would add ${azure.toFixed(0)} ms (${(azure / activation).toFixed(0)}x the activation). ` +
      'Goal: activation <= 50 ms.',
  );
}

async function vscodeActivation(): Promise<void> {
  // Loaded only here: the harness needs code-server and Chromium.
  const { openWorkbenchSession } = await import('../test/harness/workbenchSession');
  const { runPaletteCommand } = await import('../test/harness/palette');
  const { runningExtension } = await import('../test/harness/runningExtensions');
  const { packagedVsixPath } = await import('../test/harness/paths');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-activation-'));
  const session = await openWorkbenchSession({ extension: { kind: 'vsix', path: packagedVsixPath }, folder });
  try {
    await runPaletteCommand(session.page, 'Azure PyTorch: Refresh');
    await session.page.waitForTimeout(1000);
    const running = await runningExtension(session.page, 'Azure PyTorch').catch(async (error: unknown) => {
      await session.screenshot('bench-activation-failed');
      throw error;
    });
    console.log(`VS Code (code-server) reports for Azure PyTorch: "${running.activation}"`);
  } finally {
    await session.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rounds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10);
  nodeRounds(rounds);
  if (process.argv.includes('--vscode')) await vscodeActivation();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
