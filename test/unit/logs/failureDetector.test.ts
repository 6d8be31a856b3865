import * as assert from 'node:assert/strict';
import { FailureDetector, type Failure } from '../../../src/logs/failureDetector';
import { describeFailure, rootCause, type LocatedFailure } from '../../../src/logs/failureDiagnosis';

function detect(text: string): Failure[] {
  const detector = new FailureDetector();
  const failures: Failure[] = [];
  text.split('\n').forEach((line, index) => {
    const failure = detector.push(line, index);
    if (failure) failures.push(failure);
  });
  return failures;
}

const valueErrorTraceback = `epoch 1 loss=0.5
Traceback (most recent call last):
  File "/home/azureuser/.azure-pytorch/ws/w1/train.py", line 57, in <module>
    main()
  File "/home/azureuser/.azure-pytorch/ws/w1/train.py", line 41, in main
    loss = model(batch)
           ^^^^^^^^^^^^
  File "/usr/lib/python3/dist-packages/torch/nn/modules/module.py", line 1194, in _call_impl
    return forward_call(*input, **kwargs)
ValueError: Expected input batch_size (64) to match target batch_size (32).
E1204 18:34:43.779000 637 torch/distributed/elastic/multiprocessing/api.py:986] failed (exitcode: 1) local_rank: 0 (pid: 673)`;

const oomTraceback =
  `Traceback (most recent call last):
  File "train.py", line 12, in <module>
    x = torch.empty(10**12, device="cuda")
torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 3725.29 GiB ` +
  '(GPU 0; 79.15 GiB total capacity; 1.02 GiB already allocated)';

const torchrunChildFailed =
  'ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: 1) local_rank: 0 (pid: 4242) of binary: /usr/bin/python3\n' +
  `Traceback (most recent call last):
  File "/usr/local/bin/torchrun", line 24, in <module>
    sys.exit(main())
  File "/usr/lib/python3/dist-packages/torch/distributed/run.py", line 762, in main
    run(args)
torch.distributed.elastic.multiprocessing.errors.ChildFailedError: 
============================================================
train.py FAILED
------------------------------------------------------------
Root Cause (first observed failure):
[0]:
  rank      : 0 (local_rank: 0)
  exitcode  : 1 (pid: 4242)
============================================================`;

describe('FailureDetector', () => {
  it('reads a traceback: span, frames and the exception line', () => {
    const [failure, ...rest] = detect(valueErrorTraceback);
    assert.equal(rest.length, 0);
    assert.equal(failure.kind, 'traceback');
    assert.equal(failure.startLine, 1);
    assert.equal(failure.endLine, 9);
    assert.equal(failure.summary, 'ValueError: Expected input batch_size (64) to match target batch_size (32).');
    assert.deepEqual(
      failure.frames.map((f) => [f.path, f.line, f.functionName]),
      [
        ['/home/azureuser/.azure-pytorch/ws/w1/train.py', 57, '<module>'],
        ['/home/azureuser/.azure-pytorch/ws/w1/train.py', 41, 'main'],
        ['/usr/lib/python3/dist-packages/torch/nn/modules/module.py', 1194, '_call_impl'],
      ],
    );
  });

  it('classifies an out-of-memory traceback as CUDA OOM, once', () => {
    const failures = detect(oomTraceback);
    assert.deepEqual(
      failures.map((f) => f.kind),
      ['cudaOom'],
    );
    assert.match(failures[0].summary, /^torch\.cuda\.OutOfMemoryError: CUDA out of memory/);
    assert.equal(failures[0].frames[0].path, 'train.py');
  });

  it('reports each traceback of a chained exception', () => {
    const text = `Traceback (most recent call last):
  File "a.py", line 1, in f
KeyError: 'x'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "a.py", line 3, in f
RuntimeError: lookup failed`;
    assert.deepEqual(
      detect(text).map((f) => f.summary),
      ["KeyError: 'x'", 'RuntimeError: lookup failed'],
    );
  });

  it('reads torchrun ChildFailedError', () => {
    const failures = detect(torchrunChildFailed);
    assert.deepEqual(
      failures.map((f) => f.kind),
      ['childFailed'],
    );
    assert.equal(failures[0].startLine, 1);
  });

  it('reads NCCL errors on one line and inside tracebacks', () => {
    const failures = detect(
      `gpu-node0:88:120 [0] NCCL INFO Channel 00/02 :    0   1
[E ProcessGroupNCCL.cpp:828] [Rank 1] Watchdog caught collective operation timeout: ` +
        `WorkNCCL(SeqNum=12, OpType=ALLREDUCE, Timeout(ms)=1800000) ran for 1800321 milliseconds before timing out.
Traceback (most recent call last):
  File "train.py", line 30, in <module>
torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1275, ` +
        'unhandled system error, NCCL version 2.14.3',
    );
    assert.deepEqual(
      failures.map((f) => [f.kind, f.startLine]),
      [
        ['nccl', 1],
        ['nccl', 2],
      ],
    );
  });

  it('reads the OOM killer, once per process', () => {
    const failures = detect(`run.sh: line 3:  4242 Killed                  python3 train.py
WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 4243 closing signal SIGTERM
ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -9) local_rank: 0 (pid: 4242) of binary: /usr/bin/python3
  exitcode  : -9 (pid: 4242)
  traceback : Signal 9 (SIGKILL) received by PID 4242
Killed`);
    assert.deepEqual(
      failures.map((f) => [f.kind, f.startLine]),
      [
        ['killed', 0],
        ['killed', 2],
        ['killed', 5],
      ],
    );
  });

  it('reads segmentation faults', () => {
    assert.deepEqual(
      detect('Segmentation fault (core dumped)').map((f) => f.kind),
      ['crash'],
    );
  });

  it('does not flag ordinary training output', () => {
    const text = `NCCL INFO Bootstrap : Using eth0:10.0.0.4<0>
epoch 3 step 100 loss=0.12 killed_tokens=0
Saving checkpoint to outputs/ckpt.pt
WARNING: the error rate is low
  File "this is not a traceback", line 3`;
    assert.deepEqual(detect(text), []);
  });
});

describe('rootCause', () => {
  const at = (kind: LocatedFailure['kind'], summary: string): LocatedFailure => ({
    kind,
    summary,
    node: 1,
    rank: 'default0',
    startLine: 0,
    endLine: 0,
    frames: [],
  });

  it("prefers the first worker failure over torchrun's ChildFailedError", () => {
    const cause = rootCause([at('childFailed', 'ChildFailedError:'), at('cudaOom', 'OutOfMemoryError: x'), at('traceback', 'ValueError')]);
    assert.equal(cause?.kind, 'cudaOom');
    assert.equal(describeFailure(cause, 2), 'CUDA out of memory on local rank 0 (node 1): OutOfMemoryError: x');
    assert.equal(describeFailure({ ...cause, rank: 'rank3' }, 2), 'CUDA out of memory on rank 3 (node 1): OutOfMemoryError: x');
  });

  it('falls back to ChildFailedError alone', () => {
    assert.equal(rootCause([at('childFailed', 'c')])?.kind, 'childFailed');
    assert.equal(rootCause([]), undefined);
  });
});
