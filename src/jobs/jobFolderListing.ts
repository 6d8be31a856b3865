import { jobDir, jobFiles } from './remoteLayout';

/** A file of a job's folder on a node. */
export interface JobFolderFile {
  /** Relative to the job folder: `workspace/outputs/model.pt`, `node-0.log`. */
  readonly path: string;
  readonly size: number;
  /** In the job's snapshot, and written after it was taken: made or changed by the job. */
  readonly writtenByJob: boolean;
}

/** Exit status of listJobFolderCommand when the job folder is gone. */
export const JOB_FOLDER_MISSING = 3;

/**
 * Lists the files of the job's folder: `w` (written after the snapshot was taken, by mtime) or `-`,
 * size, path; NUL-separated. A file the job copied keeping its old mtime shows as `-`.
 */
export function listJobFolderCommand(jobId: string): string[] {
  const script = [
    `cd -- "$1" 2> /dev/null || exit ${JOB_FOLDER_MISSING}`,
    `if [ -f ${jobFiles.snapshotTaken} ]; then`,
    `  exec find . -type f -newer ${jobFiles.snapshotTaken} -printf 'w\\0%s\\0%P\\0' -o -type f -printf '-\\0%s\\0%P\\0'`,
    'fi',
    "exec find . -type f -printf '-\\0%s\\0%P\\0'",
  ].join('\n');
  return ['sh', '-c', script, 'sh', jobDir(jobId)];
}

export function parseJobFolderListing(output: string): JobFolderFile[] {
  const fields = output.split('\0');
  const files: JobFolderFile[] = [];
  const inSnapshot = `${jobFiles.workspace}/`;
  for (let i = 0; i + 3 <= fields.length; i += 3) {
    const [flag, size, path] = fields.slice(i, i + 3);
    if (!path) continue;
    files.push({ path, size: Number(size), writtenByJob: flag === 'w' && path.startsWith(inSnapshot) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * What Download Outputs offers first (`offered`): the job's outputs folder and every other file the
 * job made or changed in its snapshot (`model.pt` beside the script); the rest of the job folder
 * (the snapshot's unchanged files, the node logs) can still be picked.
 */
export function outputChoices(files: readonly JobFolderFile[], outputs: string): { offered: JobFolderFile[]; others: JobFolderFile[] } {
  const outputsPrefix = `${jobFiles.workspace}/${outputs.replace(/^\.\/|\/+$/g, '')}/`;
  const offered: JobFolderFile[] = [];
  const others: JobFolderFile[] = [];
  for (const file of files) (file.writtenByJob || file.path.startsWith(outputsPrefix) ? offered : others).push(file);
  return { offered, others };
}

/** Where a file of the job folder goes under the local download folder: the snapshot's files without the `workspace/` prefix. */
export function localPathOf(path: string): string {
  const inSnapshot = `${jobFiles.workspace}/`;
  return path.startsWith(inSnapshot) ? path.slice(inSnapshot.length) : path;
}
