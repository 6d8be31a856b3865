import * as assert from 'assert';
import { jobEnvironment, scriptArgument, torchrunArguments } from '../../../src/jobs/launcher';
import { jobSpec, node } from './fixtures';

describe('launcher (torchrun command lines)', () => {
  it("runs one node standalone with one process per GPU, each process's lines labelled", () => {
    const spec = jobSpec({ nprocPerNode: 2, args: ['--steps', '5'] });
    assert.deepStrictEqual(torchrunArguments(spec, 0), ['--standalone', '--nproc_per_node=2', '--tee=3', 'train.py', '--steps', '5']);
    assert.deepStrictEqual(torchrunArguments(jobSpec({ nprocPerNode: 1 }), 0), ['--standalone', '--nproc_per_node=1', 'train.py']);
  });

  it('gives every node of a multi-node job its rank and one c10d rendezvous on node 0', () => {
    const spec = jobSpec({
      nodes: [node('a', '127.0.0.2'), node('b', '127.0.0.3')],
      nprocPerNode: 1,
      rendezvous: 'gpu-a:29501',
      script: 'src/train.py',
    });
    const common = [
      '--nnodes=2',
      '--rdzv_backend=c10d',
      '--rdzv_endpoint=gpu-a:29501',
      `--rdzv_id=${spec.id}`,
      '--max_restarts=0',
      '--nproc_per_node=1',
      'src/train.py',
    ];
    for (const rank of [0, 1]) {
      const args = torchrunArguments(spec, rank);
      assert.ok(args.includes(`--node_rank=${rank}`), args.join(' '));
      assert.deepStrictEqual(
        args.filter((a) => !a.startsWith('--node_rank=')),
        common,
      );
      assert.ok(!args.includes('--standalone'));
    }
  });

  it('refuses a multi-node job without a rendezvous endpoint, and ranks outside the job', () => {
    const spec = jobSpec({ nodes: [node('a'), node('b')] });
    assert.throws(() => torchrunArguments(spec, 0), /rendezvous endpoint/);
    assert.throws(() => torchrunArguments(jobSpec(), 1), /outside 0\.\.0/);
    assert.throws(() => torchrunArguments(jobSpec({ nodes: [] }), 0), /at least one node/);
  });

  it('keeps a script whose name starts with a dash from being read as an option', () => {
    assert.strictEqual(scriptArgument('-x.py'), './-x.py');
    assert.strictEqual(scriptArgument('/abs/train.py'), '/abs/train.py');
    assert.strictEqual(scriptArgument('sub/-x.py'), 'sub/-x.py');
    // Script arguments that look like torchrun options stay after the script, where they belong to it.
    const args = torchrunArguments(jobSpec({ args: ['--nproc_per_node=8', '--standalone'] }), 0);
    assert.deepStrictEqual(args.slice(3), ['train.py', '--nproc_per_node=8', '--standalone']);
  });

  it('passes the script path normalised, so tracebacks show clean paths (no workspace/./train.py)', () => {
    assert.strictEqual(scriptArgument('./train.py'), 'train.py');
    assert.strictEqual(scriptArgument('src//models/../train.py'), 'src/train.py');
    assert.strictEqual(scriptArgument('./-x.py'), './-x.py');
    assert.strictEqual(scriptArgument('/abs/./dir//train.py'), '/abs/dir/train.py');
  });

  it('doubles each $ of the script and its arguments, which torchrun would substitute (${local_rank}, $$)', () => {
    const args = torchrunArguments(jobSpec({ script: 'a$b.py', args: ['$$', '${local_rank}', '$HOME', 'plain'] }), 0);
    assert.deepStrictEqual(args, ['--standalone', '--nproc_per_node=2', '--tee=3', 'a$$b.py', '$$$$', '$${local_rank}', '$$HOME', 'plain']);
  });

  it('exports the job to the script: rank, node count, addresses, GPUs per node, id, unbuffered output, global-rank line prefix', () => {
    const spec = jobSpec({ nodes: [node('a', '10.0.0.4'), node('b', '10.0.0.5')], nprocPerNode: 4, rendezvous: 'a:29500' });
    assert.deepStrictEqual(jobEnvironment(spec, 1), {
      PYTHONUNBUFFERED: '1',
      TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE: '[rank${rank}]:',
      AZURE_PYTORCH_JOB_ID: spec.id,
      AZURE_PYTORCH_NODE_RANK: '1',
      AZURE_PYTORCH_NUM_NODES: '2',
      AZURE_PYTORCH_NODE_ADDRESSES: '10.0.0.4,10.0.0.5',
      AZURE_PYTORCH_GPUS_PER_NODE: '4',
      NODE_RANK: '1',
      NUM_NODES: '2',
    });
  });
});
