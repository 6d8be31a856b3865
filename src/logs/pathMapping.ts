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
  // A backslash is a file name character on the VM but a separator on Windows: `..\..\x` would leave the folder.
  if (remotePath.startsWith('<') || remotePath.includes('\\')) return undefined;
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

/**
 * Whether a local path lies inside a folder (either platform's form: a drive letter or UNC root
 * means Windows, compared case-insensitively). `.` and `..` are resolved first, so
 * `C:\ws\..\x` is not inside `C:\ws`. No file system access (links are not followed).
 */
export function isInsideFolder(file: string, folder: string): boolean {
  const windows = /^[A-Za-z]:[\\/]|^\\\\/.test(folder);
  if (windows !== /^[A-Za-z]:[\\/]|^\\\\/.test(file)) return false;
  const parts = (path: string): string[] => {
    const resolved = normalisePosix(windows ? path.replace(/\\/g, '/') : path);
    return (windows ? resolved.toLowerCase() : resolved).split('/').filter(Boolean);
  };
  if (!windows && !file.startsWith('/')) return false;
  const inner = parts(file);
  const outer = parts(folder);
  return inner.length > outer.length && outer.every((part, i) => part === inner[i]);
}
