/**
 * The remote side of the sync, as argv lists (each quoted by the SSH layer). Every script is POSIX
 * sh with its inputs as positional arguments or NUL-separated stdin, so no name is ever parsed by
 * a shell. Uses GNU find, tar, xargs and sha256sum (any Azure Linux image has them).
 */

/**
 * One record per path: type, size, mtime, mode (octal), `./`path, link target, ctime, inode, link
 * count; NUL-separated.
 */
export const LISTING_FORMAT = '%y\\0%s\\0%T@\\0%m\\0%p\\0%l\\0%C@\\0%i\\0%n\\0';
export const LISTING_FIELDS = 9;

/**
 * The clock that stamps the synced folder's files, read in it (the current folder): the mtime of a
 * file made there now, `seconds.fraction`. Not `date`: on an NFS or SMB home the file server's
 * clock stamps the files, and even a local clock may be stepped; a checkpoint from another clock
 * than the files' own would hide the edits made between the two.
 */
const FOLDER_CLOCK = 'c=$(mktemp ./.azure-pytorch-clock.XXXXXX) && find "$c" -maxdepth 0 -printf %T@ && rm -f -- "$c"';

/**
 * A record that starts a section of a script's output instead of naming a path: type `=`, and the
 * folder's clock (FOLDER_CLOCK) in the second field when the section is stamped.
 */
const SECTION = `printf '=\\0%s\\0\\0\\0\\0\\0\\0\\0\\0'`;
const STAMPED_SECTION = `${SECTION} "$(${FOLDER_CLOCK})"`;

/**
 * Makes the synced folder (`$1`) if missing and enters it; it and what is made in it are the
 * user's alone (the modes sent are owner-only too), and a folder synced by an older version loses
 * its group and other bits, which keeps everything inside from other users of the VM.
 */
const ENTER_PRIVATE_FOLDER = 'umask 077; mkdir -p -- "$1" && cd -- "$1" || exit 1; find . -maxdepth 0 -perm /077 -exec chmod go= {} +';

/**
 * Lists everything under the synced folder (made when missing), in a section stamped with the
 * folder's clock read before the walk: whatever changes later has a later ctime.
 */
export function listRemoteTree(remoteDir: string): string[] {
  return ['sh', '-c', `${ENTER_PRIVATE_FOLDER}; ${STAMPED_SECTION}; exec find . -mindepth 1 -printf '${LISTING_FORMAT}'`, 'sh', remoteDir];
}

/** Exit status of `listChangedSince` when the synced folder is gone. */
export const FOLDER_MISSING = 3;

/**
 * What changed in the synced folder since `since` (the folder's clock, `seconds.nanoseconds`, as
 * `find -newerct @…` takes it). Section 1, stamped with that clock before looking: every path
 * whose inode changed since then (`.` for the folder itself); section 2: the entries of each such
 * folder, so that a removal shows too. With `roots` (top-level names), only those are walked below the folder:
 * what a job writes beside them (`outputs/` with thousands of checkpoints) costs nothing.
 */
export function listChangedSince(remoteDir: string, since: string, roots?: readonly string[]): string[] {
  const walk = roots ? `. "$@" \\( -path . -prune -o -true \\)` : '.';
  const script = [
    'dir=$1; since=$2; shift 2',
    `cd -- "$dir" 2>/dev/null || exit ${FOLDER_MISSING}`,
    'folders=$(mktemp) || exit 1',
    STAMPED_SECTION,
    `find ${walk} -newerct "@$since" \\( -type d -fprint0 "$folders" -o -true \\) -printf '${LISTING_FORMAT}'` +
      ' || { rm -f -- "$folders"; exit 1; }',
    SECTION,
    // A folder gone since the first walk lists nothing: what it held shows as removed.
    `xargs -0 -r sh -c 'exec find "$@" -mindepth 1 -maxdepth 1 -printf "$0" 2>/dev/null' '${LISTING_FORMAT}' < "$folders"`,
    'rm -f -- "$folders"',
    'exit 0',
  ].join('\n');
  // `./` keeps a name such as `-rf` or `(` from being read as a find option or expression.
  return ['sh', '-c', script, 'sh', remoteDir, since, ...(roots ?? []).map((root) => `./${root}`)];
}

/** Whether these paths fit in one command's arguments (as `./path`). */
export function fitsOnCommandLine(paths: readonly string[]): boolean {
  return paths.reduce((sum, each) => sum + Buffer.byteLength(each) + 3, 0) <= MAX_LISTED_NAME_BYTES;
}

/** Hashes the NUL-separated paths given on stdin: `hash  path\0` each (sha256sum -z does not escape). */
export function hashRemoteFiles(remoteDir: string): string[] {
  return ['sh', '-c', 'cd -- "$1" || exit 1; exec xargs -0 -r sha256sum -z --', 'sh', remoteDir];
}

// For each stdin item: `r/PATH` removes a tree (a path whose type changed), `f/PATH` a file or
// link, `d/PATH` an emptied folder (rmdir keeps folders that still hold files the sync does not own).
const REMOVE_EACH =
  'for p; do case $p in r/*) rm -rf -- "${p#r/}";; f/*) rm -f -- "${p#f/}";; d/*) rmdir -- "${p#d/}" 2>/dev/null;; esac; done; exit 0';

/** Removes the paths given on stdin (see REMOVE_EACH), in the order given. */
export function removeRemotePaths(remoteDir: string): string[] {
  return ['sh', '-c', 'cd -- "$1" || exit 0; exec xargs -0 -r sh -c "$2" sh', 'sh', remoteDir, REMOVE_EACH];
}

// Above this many bytes of names, the paths to list after unpacking do not go on the command line.
const MAX_LISTED_NAME_BYTES = 32 * 1024;

/**
 * Unpacks the tar stream on stdin into the synced folder, then lists what it wrote: the given
 * paths when they are few, otherwise everything whose ctime is from two seconds before the start
 * (by the folder's clock) on, so a coarse filesystem clock cannot hide a file. Unpacked under
 * umask 077 with the owner-only modes sent. tar reads stdin in 128 KB records (`-b 256`; its
 * default is 10 KB): about 15% less time on a fast link.
 */
export function extractTar(remoteDir: string, gzip: boolean, paths: readonly string[]): string[] {
  const listed = fitsOnCommandLine(paths);
  const unpack =
    `${ENTER_PRIVATE_FOLDER}; z=$2; shift 2; t=$(${FOLDER_CLOCK}); t=\${t%.*}; ` +
    'tar -x -b 256 -p --no-same-owner --delay-directory-restore -f - $z || exit $?; ';
  const list = listed
    ? `[ $# -eq 0 ] || find "$@" -maxdepth 0 -printf '${LISTING_FORMAT}' 2>/dev/null; exit 0`
    : `exec find . -mindepth 1 -newerct "@$((t - 2))" -printf '${LISTING_FORMAT}'`;
  // `./` keeps a name such as `-rf` or `(` from being read as a find option or expression.
  return ['sh', '-c', unpack + list, 'sh', remoteDir, gzip ? '-z' : '', ...(listed ? paths.map((each) => `./${each}`) : [])];
}

/** Reads stdin to the end and discards it: a probe of the link's throughput. */
export function discardInput(): string[] {
  return ['sh', '-c', 'exec cat > /dev/null'];
}
