/** What the sync knows about one workspace path. Paths are relative, '/'-separated, never `..`. */
export type EntryType = 'file' | 'dir' | 'symlink';

export interface LocalEntry {
  readonly path: string;
  readonly type: EntryType;
  readonly size: number;
  /** Normalized: 0o755 for folders and executable files, 0o644 for other files. */
  readonly mode: number;
  readonly mtimeMs: number;
  /** For symlinks: the target as stored in the link. */
  readonly linkTarget?: string;
  /** Stat fields that tell whether a cached content hash still holds. */
  readonly statKey: string;
}

/** What the plan needs to know of a remote path (from a listing or the saved records). */
export interface RemoteView {
  readonly type: EntryType | 'other';
  readonly size: number;
  readonly mode: number;
  readonly linkTarget?: string;
}

/** A path as `find` lists it on the remote side. */
export interface RemoteEntry extends RemoteView {
  readonly path: string;
  readonly type: EntryType | 'other';
  readonly size: number;
  /** `find -printf %T@`, kept as text: compared for equality only. */
  readonly mtime: string;
  readonly mode: number;
  readonly linkTarget: string;
  /** `find -printf %C@`: changes with any change to the inode, whoever makes it. */
  readonly ctime: string;
  /** `find -printf %i`, as text. */
  readonly inode: string;
  /** `find -printf %n`: hard links to the inode (a job's snapshot adds one). */
  readonly links: number;
}

/** Why a path is not synced, for the output-channel summary. */
export type ExclusionReason =
  | { readonly kind: 'ignored'; readonly rule: string; readonly source: string }
  | { readonly kind: 'git-folder' }
  | { readonly kind: 'too-large'; readonly size: number; readonly limit: number }
  | { readonly kind: 'symlink-outside'; readonly target: string }
  | { readonly kind: 'special-file' }
  | { readonly kind: 'unreadable'; readonly message: string }
  | { readonly kind: 'invalid-name' };

export interface ExcludedPath {
  readonly path: string;
  readonly directory: boolean;
  readonly reason: ExclusionReason;
}

/** The normalized mode of a file: what matters across machines is whether it is executable. */
export function normalizeMode(type: EntryType, mode: number): number {
  if (type === 'dir') return 0o755;
  if (type === 'symlink') return 0o777;
  return mode & 0o111 ? 0o755 : 0o644;
}

/** A path the sync may hand to a remote command: relative, no empty, `.` or `..` segments, no NUL. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
