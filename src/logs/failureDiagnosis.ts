import type { Failure, FailureKind } from './failureDetector';
import { rankLabel } from './rankLabel';

/** A failure as seen in the merged log of a job: which node and rank printed it. */
export interface LocatedFailure extends Failure {
  node: number;
  rank: string;
}

const kindTitles: Record<FailureKind, string> = {
  traceback: 'Python exception',
  cudaOom: 'CUDA out of memory',
  nccl: 'NCCL error',
  childFailed: 'A worker process failed',
  killed: 'Killed (SIGKILL, likely the out-of-memory killer)',
  crash: 'Process crashed',
};

export function failureTitle(kind: FailureKind): string {
  return kindTitles[kind];
}

/**
 * The root cause among a job's failures: the first one that is not torchrun's report that a child
 * failed (that report is a consequence; the child's own traceback, OOM or kill says why). Of a
 * chained traceback, the last exception: it carries the message (the first is often a lookup
 * that failed on the way, `KeyError: 'NOPE'`).
 */
export function rootCause(failures: readonly LocatedFailure[]): LocatedFailure | undefined {
  return failures.find((failure) => failure.kind !== 'childFailed' && !failure.superseded) ?? failures[0];
}

/** For a notification: `CUDA out of memory on node 0 [default1]: torch.cuda.Out…`, with the whole message. */
export function describeFailure(failure: LocatedFailure, nodeCount: number): string {
  const where = rankLabel(failure.node, failure.rank, nodeCount) || `node ${failure.node}`;
  return `${failureTitle(failure.kind)} on ${where}: ${failure.message ?? failure.summary}`;
}
