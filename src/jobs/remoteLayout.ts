/**
 * Where things live on a VM, as paths relative to the remote user's home (an SSH command and an
 * SFTP session both start there): every path on the VM comes from here (the sync layer is handed
 * its folder). Files of one node carry its rank, so that nodes sharing a home folder (NFS on a
 * cluster) do not overwrite each other.
 */
const remoteRoot = '.azure-pytorch';

export function workspaceDir(workspaceId: string): string {
  return `${remoteRoot}/ws/${safeName(workspaceId)}`;
}

export function envsDir(): string {
  return `${remoteRoot}/envs`;
}

export function envDir(envKey: string): string {
  return `${envsDir()}/${safeName(envKey)}`;
}

export function jobsDir(): string {
  return `${remoteRoot}/jobs`;
}

export function jobDir(jobId: string): string {
  return `${jobsDir()}/${safeName(jobId)}`;
}

/** The cost guard's watchdog: its script, config, state and decision log (src/costGuard/). It finds the jobs at `../jobs`. */
export function watchdogDir(): string {
  return `${remoteRoot}/watchdog`;
}

/**
 * The job's own copy of the synced workspace, taken at launch (hard links where the filesystem has
 * them): the job runs in it and writes its outputs there, so a later sync or launch never changes
 * the files of a job still running, and each job's outputs stay its own.
 */
export function jobWorkspaceDir(jobId: string): string {
  return `${jobDir(jobId)}/${jobFiles.workspace}`;
}

/** The files of one job's folder. Names are relative to the job folder. */
export const jobFiles = {
  spec: 'spec.json',
  runScript: 'run.sh',
  /** The snapshot of the synced workspace the job runs in (jobWorkspaceDir). */
  workspace: 'workspace',
  /** Touched once the snapshot is complete: a file of the snapshot with a later mtime was written by the job. */
  snapshotTaken: 'snapshot-taken',
  /** Written by Cancel before it signals the processes. */
  cancelled: 'cancelled',
  /** Written by the cost guard's watchdog on a spot eviction notice, before it signals the processes (JSON: the event). */
  evicted: 'evicted',
  log: (rank: number) => `node-${rank}.log`,
  /** The run script's PID, which is also its session id: every process of the node's job is in that session. */
  pid: (rank: number) => `node-${rank}.pid`,
  /** Epoch seconds the run script began (preparing the environment). */
  started: (rank: number) => `node-${rank}.started`,
  /** Epoch seconds torchrun was started (the environment was ready). */
  running: (rank: number) => `node-${rank}.running`,
  /** Epoch seconds the run script ended; written just before the exit code. */
  ended: (rank: number) => `node-${rank}.ended`,
  exitCode: (rank: number) => `node-${rank}.exit-code`,
};

/** Paths of one node's files, relative to the home folder. */
export function nodePaths(jobId: string, rank: number): { log: string; pid: string; exitCode: string; started: string; ended: string } {
  const dir = jobDir(jobId);
  return {
    log: `${dir}/${jobFiles.log(rank)}`,
    pid: `${dir}/${jobFiles.pid(rank)}`,
    exitCode: `${dir}/${jobFiles.exitCode(rank)}`,
    started: `${dir}/${jobFiles.started(rank)}`,
    ended: `${dir}/${jobFiles.ended(rank)}`,
  };
}

/** Ids and keys are made by this extension, but a path must never escape its parent: refuse anything odd. */
function safeName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes('..'))
    throw new Error(`not a safe remote folder name: ${JSON.stringify(name)}`);
  return name;
}
