import type { JobNode, JobSpec } from '../../../src/jobs/jobSpec';

export function node(label: string, address = label): JobNode {
  return {
    target: { kind: 'vm', id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/${label}`, label },
    address,
  };
}

/** A job spec with everything filled in; override what a test is about. */
export function jobSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    id: 'train-20261125-142301-a3f9',
    script: 'train.py',
    args: [],
    env: {},
    nodes: [node('gpu-a100-1', '127.0.0.2')],
    nprocPerNode: 2,
    python: 'python3',
    setup: [],
    syncExclude: [],
    outputs: 'outputs',
    workspaceFolder: 'file:///work/project',
    workspaceId: 'project-1a2b3c4d',
    createdAt: '2026-11-25T14:23:01.000Z',
    ...overrides,
  };
}
