import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';
import { grepEnv, resultsFileEnv, SuiteResults } from './results';

/** out/test/integration: every *.test.js below it is an integration test. */
const testsRoot = path.resolve(__dirname, '..');

/** Entry point the extension host calls (extensionTestsPath); runs the mocha suite in the host. */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const grep = process.env[grepEnv];
  if (grep) {
    mocha.grep(grep);
  }
  const files = findTestFiles(testsRoot);
  if (files.length === 0) {
    throw new Error(`no integration tests (*.test.js) under ${testsRoot}`);
  }
  files.forEach((file) => mocha.addFile(file));

  const failedTests: string[] = [];
  const started = Date.now();
  const stats = await new Promise<Mocha.Stats>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? emptyStats()));
    runner.on('fail', (test) => failedTests.push(test.fullTitle()));
  });
  const results: SuiteResults = {
    passes: stats.passes,
    failures: stats.failures,
    pending: stats.pending,
    durationMs: Date.now() - started,
    failedTests,
  };
  writeResults(results);
  if (results.failures > 0) {
    throw new Error(`${results.failures} integration test(s) failed`);
  }
}

function findTestFiles(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .map((file) => path.join(root, file))
    .sort();
}

function writeResults(results: SuiteResults): void {
  const file = process.env[resultsFileEnv];
  if (file) {
    fs.writeFileSync(file, JSON.stringify(results, null, 2));
  }
}

function emptyStats(): Mocha.Stats {
  return { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0 };
}
