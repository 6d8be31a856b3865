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
  /** Identifies the host for the connection provider (a VM resource id, an ssh host, …). */
  host: string;
  /** Shown to the user: the VM's name. */
  hostLabel: string;
}
