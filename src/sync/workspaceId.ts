import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A stable id for a local workspace folder: its name (made safe) and a hash of this machine and
 * the folder's absolute path, so two folders named `train` (or two laptops) never share a copy.
 * It names the folder's copy on a VM (jobs/remoteLayout's workspaceDir), so it never holds `..`.
 */
export function workspaceId(folder: string, machine: string = os.hostname()): string {
  const name =
    path
      .basename(path.resolve(folder))
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+/, '')
      .replace(/\.{2,}/g, '.')
      .slice(0, 40) || 'workspace';
  const hash = createHash('sha256')
    .update(`${machine}\0${path.resolve(folder)}`)
    .digest('hex')
    .slice(0, 10);
  return `${name}-${hash}`;
}
