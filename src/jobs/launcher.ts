import { posix } from 'path';
import type { JobSpec } from './jobSpec';

/**
 * torchrun's arguments for one node of a job, up to and including the script's own arguments.
 * Single node: a standalone rendezvous; several nodes: c10d on node 0, one attempt (a failed
 * node fails the job instead of waiting for a replacement).
 */
export function torchrunArguments(spec: JobSpec, nodeRank: number): string[] {
  const nodes = spec.nodes.length;
  if (nodes < 1) throw new Error('A job needs at least one node.');
  if (!Number.isInteger(nodeRank) || nodeRank < 0 || nodeRank >= nodes)
    throw new Error(`Node rank ${nodeRank} is outside 0..${nodes - 1}.`);
  // With several processes per node, torchrun labels each worker's lines (`[default0]:`), so the
  // log panel can tell the ranks apart in the node's one log.
  const perNode = spec.nprocPerNode > 1 ? [`--nproc_per_node=${spec.nprocPerNode}`, '--tee=3'] : [`--nproc_per_node=${spec.nprocPerNode}`];
  const launch =
    nodes === 1
      ? ['--standalone', ...perNode]
      : [
          `--nnodes=${nodes}`,
          `--node_rank=${nodeRank}`,
          '--rdzv_backend=c10d',
          `--rdzv_endpoint=${requireRendezvous(spec)}`,
          `--rdzv_id=${spec.id}`,
          '--max_restarts=0',
          ...perNode,
        ];
  return [...launch, scriptArgument(spec.script), ...spec.args].map((arg, i) => (i < launch.length ? arg : escapeMacros(arg)));
}

/**
 * torchrun passes the script and its arguments through `string.Template.safe_substitute` to fill
 * in `${local_rank}` (torch.distributed.elastic.utils.macros), which also turns `$$` into `$`:
 * doubling every `$` makes each argument reach the script exactly as written.
 */
function escapeMacros(arg: string): string {
  return arg.split('$').join('$$');
}

/**
 * The script as torchrun's positional argument, normalised: Python makes it absolute by joining it
 * to the working folder, so `./train.py` would show as `…/workspace/./train.py` in every traceback.
 * Only a name starting with a dash gets `./`, so that it is not taken for one of torchrun's options.
 */
export function scriptArgument(script: string): string {
  const normalised = posix.normalize(script);
  return normalised.startsWith('-') ? `./${normalised}` : normalised;
}

/** Variables describing the job, exported on every node for scripts that want them. */
export function jobEnvironment(spec: JobSpec, nodeRank: number): Record<string, string> {
  return {
    PYTHONUNBUFFERED: '1',
    // torch ≥ 2.2 labels each worker's lines with its global rank (`[rank3]:`) instead of
    // `[default{local_rank}]:`, the same on every node; older torch ignores it.
    TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE: '[rank${rank}]:',
    AZURE_PYTORCH_JOB_ID: spec.id,
    AZURE_PYTORCH_NODE_RANK: String(nodeRank),
    AZURE_PYTORCH_NUM_NODES: String(spec.nodes.length),
    AZURE_PYTORCH_NODE_ADDRESSES: spec.nodes.map((n) => n.address).join(','),
    AZURE_PYTORCH_GPUS_PER_NODE: String(spec.nprocPerNode),
    // The names PyTorch Lightning and others read outside torchrun's own WORLD_SIZE/RANK.
    NODE_RANK: String(nodeRank),
    NUM_NODES: String(spec.nodes.length),
  };
}

function requireRendezvous(spec: JobSpec): string {
  if (!spec.rendezvous || !/^[^\s:]+:\d+$/.test(spec.rendezvous))
    throw new Error(`A multi-node job needs a rendezvous endpoint host:port (got ${JSON.stringify(spec.rendezvous)}).`);
  return spec.rendezvous;
}
