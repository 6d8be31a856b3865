/**
 * The remote side of the sync, as argv lists (each quoted by the SSH layer). Every script is POSIX
 * sh with its inputs as positional arguments or NUL-separated stdin, so no name is ever parsed by
 * a shell. Uses GNU find, tar, xargs and sha256sum (any Azure Linux image has them).
 */

/** One record per path: type, size, mtime, mode (octal), `./`path, link target; NUL-separated. */
export const LISTING_FORMAT = '%y\\0%s\\0%T@\\0%m\\0%p\\0%l\\0';
export const LISTING_FIELDS = 6;

/** Lists everything under the synced folder (empty output when it does not exist yet). */
export function listRemoteTree(remoteDir: string): string[] {
  return ['sh', '-c', `cd -- "$1" 2>/dev/null || exit 0; exec find . -mindepth 1 -printf '${LISTING_FORMAT}'`, 'sh', remoteDir];
}

/** Hashes the NUL-separated paths given on stdin: `hash  path\0` each (sha256sum -z does not escape). */
export function hashRemoteFiles(remoteDir: string): string[] {
  return ['sh', '-c', 'cd -- "$1" || exit 1; exec xargs -0 -r sha256sum -z --', 'sh', remoteDir];
}

// For each stdin item: `r/PATH` removes a tree (a path whose type changed), `f/PATH` a file or
// link, `d/PATH` an emptied folder (rmdir keeps folders that still hold files the sync does not own).
const REMOVE_EACH = 'for p; do case $p in r/*) rm -rf -- "${p#r/}";; f/*) rm -f -- "${p#f/}";; d/*) rmdir -- "${p#d/}" 2>/dev/null;; esac; done; exit 0';

/** Removes the paths given on stdin (see REMOVE_EACH), in the order given. */
export function removeRemotePaths(remoteDir: string): string[] {
  return ['sh', '-c', 'cd -- "$1" || exit 0; exec xargs -0 -r sh -c "$2" sh', 'sh', remoteDir, REMOVE_EACH];
}

// Above this many bytes of names, the paths to list after unpacking do not go on the command line.
const MAX_LISTED_NAME_BYTES = 32 * 1024;

/**
 * Unpacks the tar stream on stdin into the synced folder, then lists what it wrote: the given
 * paths when they are few, otherwise everything whose ctime is from two seconds before the start
 * on (so a coarse filesystem clock cannot hide a file).
 */
export function extractTar(remoteDir: string, gzip: boolean, paths: readonly string[]): string[] {
  const listed = paths.reduce((sum, each) => sum + Buffer.byteLength(each) + 3, 0) <= MAX_LISTED_NAME_BYTES;
  const unpack = 'dir=$1; z=$2; shift 2; mkdir -p -- "$dir" && cd -- "$dir" || exit 1; t=$(date +%s); ' + 'tar -x -p --no-same-owner --delay-directory-restore -f - $z || exit $?; ';
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
