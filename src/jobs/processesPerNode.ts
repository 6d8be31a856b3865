import type { DistributedUse } from './distributedScript';

/** How many processes torchrun starts on each node, and why, as the job's log says it. */
export interface ProcessesChoice {
  readonly perNode: number;
  readonly reason: string;
}

export interface ProcessesInput {
  /** The script, relative to the workspace folder. */
  readonly script: string;
  /** What shows the script is distributed-aware; undefined when nothing does. */
  readonly distributed?: DistributedUse;
  /** The smallest whole GPU count among the job's machines; undefined when not known (SSH hosts). */
  readonly gpus?: number;
  /** The launch configuration's `nprocPerNode`. */
  readonly configured?: number;
}

function processes(count: number): string {
  return count === 1 ? '1 process' : `${count} processes`;
}

function gpuCount(count: number): string {
  return count === 1 ? '1 GPU' : `${count} GPUs`;
}

/**
 * Processes per node: the launch configuration's `nprocPerNode` when set; one per GPU for a
 * script that uses torch.distributed (or a library built on it); otherwise one, since an
 * ordinary script started once per GPU would train N times over and write the same files.
 */
export function chooseProcessesPerNode({ script, distributed, gpus, configured }: ProcessesInput): ProcessesChoice {
  const name = script.split('/').pop() ?? script;
  if (configured !== undefined) {
    return { perNode: configured, reason: `${processes(configured)} per node, as "nprocPerNode" in the launch configuration says` };
  }
  if (!distributed) {
    const of = gpus !== undefined && gpus > 1 ? ` on ${gpuCount(gpus)}` : '';
    return {
      perNode: 1,
      reason:
        `1 process per node${of}: ${name} does not use torch.distributed (nor Lightning, Accelerate or DeepSpeed), ` +
        'so one copy of it runs; set "nprocPerNode" to run one per GPU',
    };
  }
  const uses = `${name} uses ${distributed.marker}${distributed.file === script ? '' : ` (in ${distributed.file})`}`;
  if (gpus === undefined) {
    return {
      perNode: 1,
      reason: `1 process per node: ${uses}, but the machine's GPU count is not known; set "nprocPerNode" to run one per GPU`,
    };
  }
  if (gpus <= 1) return { perNode: 1, reason: `1 process per node: ${uses}, and the machine has ${gpus === 1 ? '1 GPU' : 'no GPU'}` };
  return { perNode: gpus, reason: `${processes(gpus)} per node, one per GPU: ${uses}` };
}
