/**
 * Remote → local paths for traceback frames: a file under the remote copy of the workspace is
 * the local workspace file at the same relative path. Other files (site-packages, `<frozen …>`)
 * have no local counterpart.
 */
export interface WorkspaceMapping {
  /** Absolute POSIX path of the synced workspace on the VM, e.g. `/home/azureuser/.azure-pytorch/ws/ab12`. */
  remoteRoot: string;
  /** Absolute local workspace folder, in the local platform's form. */
  localRoot: string;
}

export function mapRemotePath(remotePath: string, mapping: WorkspaceMapping): string | undefined {
  if (remotePath.startsWith('<')) return undefined;
  const root = normalisePosix(mapping.remoteRoot);
  const absolute = normalisePosix(remotePath.startsWith('/') ? remotePath : `${root}/${remotePath}`);
  if (!absolute.startsWith(`${root}/`)) return undefined;
  const relative = absolute.slice(root.length + 1);
  const separator = /^[A-Za-z]:[\\/]|^\\\\/.test(mapping.localRoot) ? '\\' : '/';
  const localRoot = mapping.localRoot.replace(/[\\/]+$/, '');
  return localRoot + separator + relative.split('/').join(separator);
}

/** Resolves `.`, `..` and repeated slashes; no file system access. */
export function normalisePosix(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
