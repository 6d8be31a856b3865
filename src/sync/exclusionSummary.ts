import type { ExcludedPath } from './syncEntry';

/** One line per excluded path for the output channel: what and why. */
export function describeExclusion(excluded: ExcludedPath): string {
  const name = excluded.directory ? `${excluded.path}/` : excluded.path;
  const { reason } = excluded;
  switch (reason.kind) {
    case 'ignored':
      return `${name} — ignored by "${reason.rule}" (${reason.source})`;
    case 'git-folder':
      return `${name} — git metadata, never synced`;
    case 'too-large':
      return `${name} — ${formatMB(reason.size)} is over the ${formatMB(reason.limit)} limit (azurePytorch.sync.maxFileSizeMB)`;
    case 'symlink-outside':
      return `${name} — symlink to ${JSON.stringify(reason.target)} points outside the workspace`;
    case 'special-file':
      return `${name} — not a regular file, folder or symlink`;
    case 'unreadable':
      return `${name} — could not be read: ${reason.message}`;
    case 'invalid-name':
      return `${name} — its name is not valid UTF-8`;
  }
}

function formatMB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
