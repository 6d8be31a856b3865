import { runTests } from '@vscode/test-electron';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../harness/paths';
import { parseSuiteResults, resultsFileEnv } from './suite/results';

/**
 * Runs the integration tests inside a real VS Code extension host (code-server driven by
 * test/harness/vscode-launcher.js). Builds nothing: run `npm run build` first.
 */
async function main(): Promise<number> {
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'integration', 'suite', 'index.js');
  for (const required of [path.join(repoRoot, 'dist', 'extension.js'), extensionTestsPath]) {
    if (!fs.existsSync(required)) {
      throw new Error(`${required} is missing: run npm run build first`);
    }
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-pytorch-integration-'));
  const workspace = path.join(scratch, 'workspace');
  const resultsFile = path.join(scratch, 'results.json');
  // A copy, so that tests may change the workspace without touching the fixture.
  fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  const started = Date.now();
  try {
    const exitCode = await runTests({
      vscodeExecutablePath: path.join(repoRoot, 'test', 'harness', 'vscode-launcher.js'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [workspace],
      extensionTestsEnv: { [resultsFileEnv]: resultsFile },
    }).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      return 1;
    });
    return summarize(resultsFile, exitCode, Date.now() - started);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function summarize(resultsFile: string, exitCode: number, elapsedMs: number): number {
  if (!fs.existsSync(resultsFile)) {
    console.error(`\nIntegration tests did not report results (exit code ${exitCode}).`);
    return exitCode === 0 ? 1 : exitCode;
  }
  const results = parseSuiteResults(fs.readFileSync(resultsFile, 'utf8'));
  console.log(`\nIntegration (real VS Code, ${(elapsedMs / 1000).toFixed(1)} s in all):`);
  console.log(`  ${results.passes} passing (${results.durationMs} ms)`);
  if (results.pending > 0) {
    console.log(`  ${results.pending} pending`);
  }
  if (results.failures > 0) {
    console.log(`  ${results.failures} failing`);
    results.failedTests.forEach((title) => console.log(`    - ${title}`));
  }
  if (results.passes + results.failures === 0) {
    console.error('  no integration test ran');
    return 1;
  }
  return results.failures > 0 || exitCode !== 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
