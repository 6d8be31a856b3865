/**
 * `npm run demo`: the sandbox cloud, and a VS Code server with the packaged extension pointed at it
 * and a sample workspace holding train.py. Prints the URL to open; Ctrl-C stops everything.
 * PORT sets the server's port on 127.0.0.1 (default 8080; 0 for any free port).
 */
import * as fs from 'fs';
import * as path from 'path';
import { startCodeServer } from '../harness/codeServer';
import { installExtension } from '../harness/installExtension';
import { packagedVsixPath, repoRoot } from '../harness/paths';
import { writeClientProfile } from './clientProfile';
import { printSummary } from './main';
import { startSandbox } from './sandbox';
import { onTermination } from './termination';

async function main(): Promise<void> {
  const demoDir = path.join(repoRoot, '.sandbox', 'demo');
  const workspace = path.join(demoDir, 'workspace');
  if (!fs.existsSync(workspace)) {
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  }
  const sandbox = await startSandbox({ stateDir: path.join(demoDir, 'cloud') });
  try {
    printSummary(sandbox);
    const profile = writeClientProfile(sandbox.summary, path.join(demoDir, 'home'));
    const extensionsDir = path.join(demoDir, 'extensions');
    await installExtension(packagedVsixPath, extensionsDir);
    const server = await startCodeServer({
      port: Number(process.env.PORT ?? 8080),
      extensionsDir,
      env: profile.env,
      settings: profile.settings,
    });
    const url = new URL(server.url);
    url.searchParams.set('folder', workspace);
    console.log(`\nVS Code with Azure PyTorch and the sandbox cloud: ${url.toString()}`);
    console.log('Open it in a browser; the Azure PyTorch icon (a flame) is in the activity bar.');
    console.log('Press Ctrl-C to stop everything.');
    await onTermination();
    console.log('Stopping…');
    await server.stop();
  } finally {
    await sandbox.dispose();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
