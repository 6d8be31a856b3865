import type { Failure, FailureKind } from './failureDetector';

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
 * failed (that report is a consequence; the child's own traceback, OOM or kill says why).
 */
export function rootCause(failures: readonly LocatedFailure[]): LocatedFailure | undefined {
  return failures.find((failure) => failure.kind !== 'childFailed') ?? failures[0];
}

/** One line for a notification: `CUDA out of memory on node 0 [default1]: torch.cuda.Out…`. */
export function describeFailure(failure: LocatedFailure): string {
  const where = `node ${failure.node}${failure.rank ? ` [${failure.rank}]` : ''}`;
  return `${failureTitle(failure.kind)} on ${where}: ${failure.summary}`;
}
