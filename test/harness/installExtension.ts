import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { codeServerArgs, codeServerEnv, makeRunDir } from './codeServer';
import { assertCodeServerInstalled, codeServerEntry, node24Path } from './paths';

/**
 * Installs a packaged extension (.vsix) offline into `extensionsDir`, the way a user would, so
 * that tests exercise the package and not only the development folder.
 */
export async function installExtension(vsixPath: string, extensionsDir: string): Promise<void> {
  assertCodeServerInstalled();
  if (!fs.existsSync(vsixPath)) {
    throw new Error(`${vsixPath} is missing: run npm run package first`);
  }
  fs.mkdirSync(extensionsDir, { recursive: true });
  const runDir = makeRunDir('azure-pytorch-install-');
  const args = codeServerArgs(runDir, extensionsDir, false).filter((arg, i, all) => {
    // --bind-addr is meaningless for an install and would only be noise.
    return arg !== '--bind-addr' && all[i - 1] !== '--bind-addr';
  });
  try {
    const { stdout, stderr } = await promisify(execFile)(
      node24Path,
      [codeServerEntry, ...args, '--install-extension', path.resolve(vsixPath), '--force'],
      { cwd: runDir, env: codeServerEnv(runDir), timeout: 60_000 },
    );
    if (!/successfully installed/i.test(stdout + stderr)) {
      throw new Error(`installing ${vsixPath} reported no success:\n${stdout}${stderr}`);
    }
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}
