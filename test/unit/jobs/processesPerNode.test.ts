import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { torchrunArguments } from '../../../src/jobs/launcher';
import { chooseProcessesPerNode } from '../../../src/jobs/processesPerNode';
import { runScript } from '../../../src/jobs/runScript';
import { jobSpec } from './fixtures';

const ddp = { file: 'train.py', marker: 'init_process_group' };

describe('processes per node', () => {
  it('runs an ordinary script once on a 2-GPU VM, and says why', () => {
    const choice = chooseProcessesPerNode({ script: 'src/train.py', gpus: 2 });
    assert.strictEqual(choice.perNode, 1);
    assert.match(choice.reason, /^1 process per node on 2 GPUs: train\.py does not use torch\.distributed/);
    assert.match(choice.reason, /"nprocPerNode"/);
    const spec = jobSpec({ nprocPerNode: choice.perNode });
    assert.deepStrictEqual(torchrunArguments(spec, 0).slice(0, 2), ['--standalone', '--nproc_per_node=1']);
  });

  it('runs a distributed-aware script once per GPU', () => {
    const choice = chooseProcessesPerNode({ script: 'train.py', gpus: 2, distributed: ddp });
    assert.deepStrictEqual(choice, { perNode: 2, reason: '2 processes per node, one per GPU: train.py uses init_process_group' });
  });

  it('names the imported file the use was found in', () => {
    const choice = chooseProcessesPerNode({
      script: 'train.py',
      gpus: 4,
      distributed: { file: 'dist_utils.py', marker: 'torch.distributed' },
    });
    assert.strictEqual(choice.perNode, 4);
    assert.match(choice.reason, /train\.py uses torch\.distributed \(in dist_utils\.py\)$/);
  });

  it('runs one process when the GPU count is not known or is one', () => {
    assert.strictEqual(chooseProcessesPerNode({ script: 'train.py', distributed: ddp }).perNode, 1);
    assert.match(chooseProcessesPerNode({ script: 'train.py', distributed: ddp }).reason, /GPU count is not known/);
    assert.strictEqual(chooseProcessesPerNode({ script: 'train.py', distributed: ddp, gpus: 1 }).perNode, 1);
    assert.strictEqual(chooseProcessesPerNode({ script: 'train.py', distributed: ddp, gpus: 0 }).perNode, 1);
  });

  it("takes the launch configuration's nprocPerNode over the detection", () => {
    const choice = chooseProcessesPerNode({ script: 'train.py', gpus: 8, configured: 3 });
    assert.strictEqual(choice.perNode, 3);
    assert.match(choice.reason, /"nprocPerNode" in the launch configuration/);
  });

  it("is said in the node's log by the run script, exactly", () => {
    const reason = chooseProcessesPerNode({ script: 'train.py', gpus: 2 }).reason;
    const script = runScript({ spec: jobSpec({ nprocPerNode: 1, nprocReason: reason }) });
    const line = script.split('\n').find((l) => l.startsWith('say ') && l.includes('Processes'));
    assert.ok(line, 'the run script says the processes');
    const sayDefinition = script.split('\n').find((l) => l.startsWith('say()'));
    assert.ok(sayDefinition);
    const output = execFileSync('sh', ['-c', `${sayDefinition}\n${line}`], { encoding: 'utf8' });
    assert.strictEqual(output, `[azure-pytorch] Processes: ${reason}\n`);
  });
});
