import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { distributedMarker, findDistributedUse, localImportCandidates } from '../../../src/jobs/distributedScript';

const fixtureTrainPy = fs.readFileSync(path.resolve(__dirname, '../../../../test/fixtures/workspace/train.py'), 'utf8');

const ordinary = `import torch

model = torch.nn.Linear(1, 1)
for step in range(10):
    print(f"step={step} loss={step / 10}")
torch.save(model.state_dict(), "model.pt")
`;

describe('distributed script detection', () => {
  it('finds the demo train.py distributed-aware (init_process_group)', () => {
    assert.strictEqual(distributedMarker(fixtureTrainPy), 'init_process_group');
  });

  it('finds nothing in an ordinary script', () => {
    assert.strictEqual(distributedMarker(ordinary), undefined);
  });

  for (const [code, marker] of [
    ['import torch.distributed as dist\ndist.barrier()', 'torch.distributed'],
    ['from torch import distributed as dist', 'torch.distributed'],
    ['from torch.nn.parallel import DistributedDataParallel as DDP', 'DistributedDataParallel'],
    ['from torch.distributed.fsdp import FullyShardedDataParallel', 'FullyShardedDataParallel'],
    ['import lightning as L\ntrainer = L.Trainer(devices=-1)', 'PyTorch Lightning'],
    ['import pytorch_lightning as pl', 'PyTorch Lightning'],
    ['from accelerate import Accelerator', 'Hugging Face Accelerate'],
    ['import deepspeed', 'DeepSpeed'],
    ['from transformers import AutoModel, Trainer, TrainingArguments', 'the Hugging Face Trainer'],
  ] as const) {
    it(`finds ${marker} in: ${code.split('\n')[0]}`, () => {
      assert.strictEqual(distributedMarker(`import os\n${code}\n`), marker);
    });
  }

  it('does not take a mention in a comment or a docstring for use', () => {
    const text = `"""Could use torch.distributed or DistributedDataParallel one day."""\n# import deepspeed\n${ordinary}`;
    assert.strictEqual(distributedMarker(text), undefined);
  });

  it('names the local files the script imports, next to it and at the root, one level', () => {
    const text = 'import os, helpers\nfrom models.net import Net\nfrom . import utils\nfrom .data import load\nimport numpy as np\n';
    const candidates = localImportCandidates('src/train.py', text);
    for (const expected of [
      'src/helpers.py',
      'helpers.py',
      'src/models/net.py',
      'models/net/__init__.py',
      'src/utils.py',
      'src/data.py',
      'src/numpy/__init__.py',
    ]) {
      assert.ok(candidates.includes(expected), `${expected} in ${JSON.stringify(candidates)}`);
    }
    assert.ok(!candidates.some((c) => c.startsWith('../') || c === 'src/train.py'), JSON.stringify(candidates));
  });

  it('finds the use in a local module the script imports, naming that file', () => {
    const script = 'from setup_dist import setup\nsetup()\n';
    const imported = new Map([
      ['other.py', ordinary],
      ['setup_dist.py', 'import torch.distributed as dist\ndef setup():\n    dist.init_process_group("nccl")\n'],
    ]);
    assert.ok(localImportCandidates('train.py', script).includes('setup_dist.py'));
    assert.deepStrictEqual(findDistributedUse('train.py', script, imported), { file: 'setup_dist.py', marker: 'init_process_group' });
    assert.strictEqual(findDistributedUse('train.py', script, new Map([['other.py', ordinary]])), undefined);
  });
});
