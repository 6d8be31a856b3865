import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';
import { assertChromiumInstalled, assertCodeServerInstalled, packagedVsixPath, repoRoot } from '../harness/paths';

/**
 * Runs the e2e tests (plain Node + playwright-core against code-server). Builds nothing: run
 * scripts/install-vscode-server.sh, `npm run build` and `npm run package` first.
 * AZURE_PYTORCH_E2E_GREP picks a subset by title.
 */
async function main(): Promise<number> {
  assertCodeServerInstalled();
  assertChromiumInstalled();
  for (const [file, producer] of [
    [path.join(repoRoot, 'dist', 'extension.js'), 'npm run build'],
    [packagedVsixPath, 'npm run package'],
  ]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run ${producer} first`);
    }
  }
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: 'spec', color: process.stdout.isTTY });
  const grep = process.env.AZURE_PYTORCH_E2E_GREP;
  if (grep) {
    mocha.grep(grep);
  }
  const testsRoot = __dirname;
  fs.readdirSync(testsRoot, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .sort()
    .forEach((file) => mocha.addFile(path.join(testsRoot, file)));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
