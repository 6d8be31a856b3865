import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where workspaces live on a VM, relative to the login user's home. */
export const REMOTE_WORKSPACES = '.azure-pytorch/ws';

/**
 * A stable id for a local workspace folder: its name (made safe) and a hash of this machine and
 * the folder's absolute path, so two folders named `train` (or two laptops) never share a copy.
 */
export function workspaceId(folder: string, machine: string = os.hostname()): string {
  const name =
    path
      .basename(path.resolve(folder))
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+/, '')
      .slice(0, 40) || 'workspace';
  const hash = createHash('sha256')
    .update(`${machine}\0${path.resolve(folder)}`)
    .digest('hex')
    .slice(0, 10);
  return `${name}-${hash}`;
}

/** `.azure-pytorch/ws/<workspace-id>`: the synced copy on the VM. */
export function remoteWorkspaceDir(folder: string, machine?: string): string {
  return `${REMOTE_WORKSPACES}/${workspaceId(folder, machine)}`;
}
