import { parseMachineKey, type MachineRef } from '../common/machine';
import type { FollowTarget } from './followCommand';

/**
 * What a log panel follows: the jobs layer describes a job with this, and it is kept (as JSON) in
 * the panel's state so a reloaded window can follow the same job again.
 */
export interface JobLogDescription {
  /** Unique per job; names the panel and its local cache folder. */
  jobId: string;
  /** Panel title, e.g. `train.py on gpu-node0`. */
  title: string;
  /** One entry per node, in node-rank order. */
  nodes: NodeLogDescription[];
  /** Where the job's synced workspace lives, for links from traceback frames to local files. */
  workspace?: { remoteRoot: string; localRoot: string };
}

export interface NodeLogDescription extends FollowTarget {
  /** The machine the node runs on; its label names the node to the user. */
  machine: MachineRef;
}

/** A node as a panel's state may hold it from an earlier version: its machine as a key and a label. */
interface StoredNodeLogDescription extends FollowTarget {
  machine?: MachineRef;
  host?: string;
  hostLabel?: string;
}

/** A description from a panel's state, in the current shape whichever version stored it. */
export function restoredJobLogDescription(
  job: Omit<JobLogDescription, 'nodes'> & { nodes: StoredNodeLogDescription[] },
): JobLogDescription {
  return {
    ...job,
    nodes: job.nodes.map(({ machine, host, hostLabel, ...files }) => ({
      ...files,
      machine: machine ?? parseMachineKey(host ?? '', hostLabel),
    })),
  };
}
