/**
 * What a training job is: everything needed to start it again on the same machines, and nothing
 * that depends on how it went. Kept in the job store and written to the job folder as spec.json.
 */

import type { MachineRef } from '../common/machine';

/** One node of a job, in rank order. */
export interface JobNode {
  /** The machine it runs on (named `target` in stored jobs and spec.json). */
  readonly target: MachineRef;
  /** The address the extension reaches this node by (its SSH address), for display and the job's variables. */
  readonly address: string;
  /** The remote user's home folder, as preflight found it: maps traceback paths to local files. */
  readonly home?: string;
}

export interface JobSpec {
  /** Unique, made only of `[a-z0-9-]`: it names the job folder and the rendezvous. */
  readonly id: string;
  /** The saved launch configuration it came from, if any. */
  readonly configurationName?: string;
  /** The script, relative to the workspace folder, with `/` separators. */
  readonly script: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly nodes: readonly JobNode[];
  /** Processes per node (torchrun's --nproc_per_node). */
  readonly nprocPerNode: number;
  /** Why nprocPerNode is what it is (the script is distributed-aware or not, or configured); the log says it. */
  readonly nprocReason?: string;
  /** The interpreter on the VM that creates the job's venv. */
  readonly python: string;
  /** The requirements file, relative to the workspace folder. */
  readonly requirements?: string;
  readonly setup: readonly string[];
  readonly syncExclude: readonly string[];
  /** The folder Download Outputs fetches, relative to the synced workspace. */
  readonly outputs: string;
  /** The local workspace folder the script belongs to (a URI string). */
  readonly workspaceFolder: string;
  /** Names the synced workspace's folder on the VM (remoteLayout's workspaceDir). */
  readonly workspaceId: string;
  /** Rendezvous endpoint (`host:port` of node 0) for multi-node jobs. */
  readonly rendezvous?: string;
  /** ISO time the launch began. */
  readonly createdAt: string;
}

const idSafe = /[^a-z0-9]+/g;

/** A new job id: the script's name, the time and a random suffix, e.g. `train-20261125-142301-a3f9`. */
export function newJobId(script: string, now: Date, random: () => number = Math.random): string {
  const stem =
    (script.split('/').pop() ?? 'job')
      .replace(/\.py$/i, '')
      .toLowerCase()
      .replace(idSafe, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'job';
  const pad = (n: number): string => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stem}-${date}-${time}-${suffix}`;
}

/** "gpu-a100-1" or "gpu-a100-1 +1". */
export function targetsLabel(spec: Pick<JobSpec, 'nodes'>): string {
  const [first, ...rest] = spec.nodes;
  if (!first) return '';
  return rest.length ? `${first.target.label} +${rest.length}` : first.target.label;
}
