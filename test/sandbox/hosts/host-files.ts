import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Folder of the non-TypeScript files installed on the hosts (host-init.sh, bin/nvidia-smi,
 * bin/torchrun). tsc does not copy them to out/, so they are read from the source tree: the repository
 * root is the first folder above this module that holds package.json.
 */
export function hostFilesDirectory(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      return path.join(dir, 'test', 'sandbox', 'hosts');
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`No package.json above ${__dirname}: cannot find the simulated hosts' files`);
    }
  }
}
