import * as assert from 'assert';
import { restoredJobLogDescription, type JobLogDescription } from '../../../src/logs/jobLogDescription';

const files = { logPath: 'l', pidPath: 'p', exitCodePath: 'e' };

describe('restoredJobLogDescription', () => {
  it('keeps a description of the current shape as it is', () => {
    const job: JobLogDescription = {
      jobId: 'j',
      title: 't',
      nodes: [{ machine: { kind: 'vm', id: '/subscriptions/s/vm/Gpu', label: 'Gpu' }, ...files }],
    };
    assert.deepStrictEqual(restoredJobLogDescription(job), job);
  });

  it('turns the key and label an earlier version stored into the machine, label kept', () => {
    const restored = restoredJobLogDescription({
      jobId: 'j',
      title: 't',
      nodes: [
        { host: 'vm:/subscriptions/s/vm/Gpu', hostLabel: 'gpu node', ...files },
        { host: 'ssh:me@lab:2222', hostLabel: 'me@lab:2222', ...files },
      ],
    });
    assert.deepStrictEqual(restored.nodes, [
      { machine: { kind: 'vm', id: '/subscriptions/s/vm/Gpu', label: 'gpu node' }, ...files },
      { machine: { kind: 'ssh', id: 'me@lab:2222', label: 'me@lab:2222' }, ...files },
    ]);
  });
});
