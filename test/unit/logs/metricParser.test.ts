import * as assert from 'node:assert/strict';
import { metricGoal } from '../../../src/logs/metricNames';
import { parseLineMetrics, parseMetrics, type MetricRecord } from '../../../src/logs/metricParser';

interface Case {
  framework: string;
  line: string;
  expected: MetricRecord | undefined;
}

// Lines as the frameworks print them (copied in shape from their sources and docs).
const corpus: Case[] = [
  {
    framework: 'HF Trainer log dict',
    line: "{'loss': 2.3456, 'grad_norm': 1.2345678, 'learning_rate': 4.8e-05, 'epoch': 0.04}",
    expected: { values: { loss: 2.3456, grad_norm: 1.2345678, learning_rate: 4.8e-5 }, epoch: 0.04 },
  },
  {
    framework: 'HF Trainer final summary',
    line:
      "{'train_runtime': 123.4567, 'train_samples_per_second': 12.3, 'train_steps_per_second': 1.5, " +
      "'train_loss': 1.9012, 'epoch': 3.0}",
    expected: {
      values: { train_runtime: 123.4567, train_samples_per_second: 12.3, train_steps_per_second: 1.5, train_loss: 1.9012 },
      epoch: 3,
    },
  },
  {
    framework: 'Lightning validate dict with tensors',
    line: "{'val_loss': tensor(0.5123, device='cuda:0'), 'val_acc': tensor(0.9012)}",
    expected: { values: { val_loss: 0.5123, val_acc: 0.9012 } },
  },
  {
    framework: 'Lightning progress bar',
    line: 'Epoch 0:  45%|████▌     | 45/100 [00:02<00:03, 17.23it/s, v_num=0, train_loss=0.512]',
    expected: { values: { train_loss: 0.512 }, epoch: 0, progress: { done: 45, total: 100 } },
  },
  {
    framework: 'tqdm bar with a description and no postfix',
    line: 'rank0:   3%|▎         | 1/30 [00:00<00:07,  4.14it/s]',
    expected: undefined,
  },
  {
    framework: 'tqdm bar with a postfix',
    line: 'train:  25%|██▌       | 25/100 [00:01<00:03, 20.31it/s, loss=0.31, acc=0.9]',
    expected: { values: { loss: 0.31, acc: 0.9 }, step: 25, progress: { done: 25, total: 100 } },
  },
  {
    framework: 'tqdm without a total',
    line: '24it [00:01, 20.1it/s, loss=0.5]',
    expected: { values: { loss: 0.5 }, step: 24 },
  },
  {
    framework: 'a warning with name=value in its message',
    line:
      '/opt/torch/.venv/lib/python3.12/site-packages/torch/nn/modules/rnn.py:67: UserWarning: dropout option adds dropout after ' +
      'all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=0.2 and num_layers=1',
    expected: undefined,
  },
  {
    framework: 'a metric named error',
    line: 'Mean Squared Error: 0.25',
    expected: { values: { mean_squared_error: 0.25 } },
  },
  {
    framework: 'Lightning rich table row',
    line: '│         test_loss         │    0.1234                 │',
    expected: { values: { test_loss: 0.1234 } },
  },
  {
    framework: 'JSON lines',
    line: '{"step": 1200, "loss": 0.4321, "lr": 0.0003, "tokens_per_sec": 51234.5, "split": "train"}',
    expected: { values: { loss: 0.4321, lr: 0.0003, tokens_per_sec: 51234.5 }, step: 1200 },
  },
  {
    framework: 'JSON lines, nested',
    line: '{"global_step": 50, "train": {"loss": 1.5, "acc": 0.25}}',
    expected: { values: { 'train/loss': 1.5, 'train/acc': 0.25 }, step: 50 },
  },
  {
    framework: 'word_language_model table',
    line: '| epoch   1 |   200/ 2983 batches | lr 20.00 | ms/batch 12.34 | loss  7.63 | ppl  2064.44',
    // ms/batch is how long a batch took, not how training goes.
    expected: { values: { lr: 20, loss: 7.63, ppl: 2064.44 }, epoch: 1, progress: { done: 200, total: 2983 } },
  },
  {
    framework: 'word_language_model end of epoch (its wall time is no metric)',
    line: '| end of epoch   1 | time: 56.40s | valid loss  6.17 | valid ppl   475.92',
    expected: { values: { valid_loss: 6.17, valid_ppl: 475.92 }, epoch: 1 },
  },
  {
    framework: 'word_language_model end of training',
    line: '| End of training | test loss  6.50 | test ppl   667.31',
    expected: { values: { test_loss: 6.5, test_ppl: 667.31 } },
  },
  {
    framework: 'fairseq legacy table',
    line: '| epoch 001 | loss 5.91 | nll_loss 4.2 | ppl 368.5 | wps 12345 | ups 3.2 | num_updates 1000 | lr 0.0005',
    expected: { values: { loss: 5.91, nll_loss: 4.2, ppl: 368.5, wps: 12345, ups: 3.2, lr: 0.0005 }, epoch: 1, step: 1000 },
  },
  {
    framework: 'fairseq train_inner',
    line:
      '2021-03-04 10:11:12 | INFO | train_inner | epoch 001:    100 / 1000 ' +
      'loss=9.1, nll_loss=8.9, ppl=478.1, wps=1234.5, num_updates=100, lr=1e-05, gnorm=2.1',
    expected: { values: { loss: 9.1, nll_loss: 8.9, ppl: 478.1, wps: 1234.5, lr: 1e-5, gnorm: 2.1 }, epoch: 1, step: 100 },
  },
  {
    framework: 'PyTorch MNIST example, train',
    line: 'Train Epoch: 1 [640/60000 (1%)]\tLoss: 2.301234',
    expected: { values: { loss: 2.301234 }, epoch: 1, progress: { done: 640, total: 60000 } },
  },
  {
    framework: 'PyTorch MNIST example, test',
    line: 'Test set: Average loss: 0.0275, Accuracy: 9915/10000 (99%)',
    expected: { values: { average_loss: 0.0275, accuracy: 99.15 } },
  },
  {
    framework: 'plain key=value with logging prefix',
    line: '2024-05-01 12:00:03,123 - INFO - step=300 loss=0.8123 lr=2.5e-4 grad_norm=0.91',
    expected: { values: { loss: 0.8123, lr: 2.5e-4, grad_norm: 0.91 }, step: 300 },
  },
  {
    framework: 'key: value, two-word keys',
    line: 'Epoch: 3, Step: 1500, Train Loss: 0.5432, Val Loss: 0.6001, Val Acc: 81.5%',
    expected: { values: { train_loss: 0.5432, val_loss: 0.6001, val_acc: 81.5 }, epoch: 3, step: 1500 },
  },
  {
    framework: 'Keras-like dashes',
    line: 'Epoch 2/10 - loss: 0.3012 - accuracy: 0.9123 - val_loss: 0.3311 - val_accuracy: 0.9001',
    expected: { values: { loss: 0.3012, accuracy: 0.9123, val_loss: 0.3311, val_accuracy: 0.9001 }, epoch: 2 },
  },
  {
    framework: 'timm',
    line: 'Train: 0 [  50/1251 (  4%)]  Loss: 6.912 (6.92)  Time: 0.345s,  742.1/s  (0.400s,  640.1/s)  LR: 1.000e-06  Data: 0.012 (0.034)',
    expected: { values: { loss: 6.912, lr: 1e-6, data: 0.012 }, epoch: 0, progress: { done: 50, total: 1251 } },
  },
  {
    framework: 'DeepSpeed',
    line: '[2023-06-01 10:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=10, skipped=0, lr=[0.0001], mom=[(0.9, 0.999)]',
    expected: { values: { skipped: 0, lr: 0.0001 }, step: 10 },
  },
  {
    framework: 'tensor value in key=value',
    line: "iter 20: loss=tensor(3.2100, device='cuda:0', grad_fn=<NllLossBackward0>)",
    expected: { values: { loss: 3.21 }, step: 20 },
  },
  {
    framework: 'NaN loss is reported, not dropped',
    line: 'step 7 | loss nan | lr 0.001',
    expected: { values: { loss: NaN, lr: 0.001 }, step: 7 },
  },
  {
    framework: 'torchrun agent line',
    line: 'INFO:torch.distributed.launcher.api:Starting elastic_operator with launch configs:',
    expected: undefined,
  },
  { framework: 'rendezvous endpoint', line: '  rdzv_endpoint    : localhost:29500', expected: undefined },
  { framework: 'version string', line: 'torch version: 1.13.1+cu117', expected: undefined },
  { framework: 'timestamp only', line: '2024-05-01 12:00:03 starting run at 12:00:03', expected: undefined },
  { framework: 'traceback frame', line: '  File "/home/azureuser/ws/train.py", line 42, in <module>', expected: undefined },
  {
    framework: 'c10d socket warning',
    line: '[W socket.cpp:462] [c10d] The server socket has failed to bind to [::]:29400 (errno: 98 - Address already in use).',
    expected: undefined,
  },
  {
    framework: "torch's C++ warning with a Warning: inside",
    line: '[W socket.cpp:601] [c10d] Warning: the value timeout=30 is deprecated',
    expected: undefined,
  },
  { framework: 'a logged WARNING', line: '2024-01-01 10:00:00 WARNING lr=0.1 is clipped to max_lr=0.05', expected: undefined },
  {
    framework: "metrics with a script's warning glued after them (the warning's values dropped)",
    line: 'step=3 loss=0.5 Warning: lr=0.1 is high',
    expected: { values: { loss: 0.5 }, step: 3 },
  },
  { framework: 'argparse dump', line: 'Namespace(lr=0.01, batch_size=64, epochs=10)', expected: undefined },
  { framework: 'exception with numbers', line: 'RuntimeError: Expected 4 dims, got size: 3', expected: undefined },
  { framework: 'NCCL info', line: 'gpu-node0:1234:1234 [0] NCCL INFO NCCL version 2.18.1+cuda12.1', expected: undefined },
  { framework: 'URL with port', line: 'Serving at http://127.0.0.1:6006/ (port: 6006)', expected: undefined },
];

describe('parseMetrics', () => {
  for (const { framework, line, expected } of corpus) {
    it(`reads ${framework}`, () => {
      assert.deepEqual(parseMetrics(line), expected);
    });
  }

  it('keeps the two halves of a ratio apart from the metric name', () => {
    assert.equal(parseMetrics('eval accuracy: 45/50')?.values.eval_accuracy, 90);
  });

  it('reads negative and exponent values', () => {
    assert.deepEqual(parseMetrics('reward=-1.5e+02 kl=3E-3')?.values, { reward: -150, kl: 0.003 });
  });
});

describe('parseLineMetrics', () => {
  it('reads a result glued to a tqdm bar as the same name as printed alone', () => {
    const clean = parseLineMetrics('test accuracy: 0.91');
    const glued = parseLineMetrics('Epoch 3: 100%|██████████| 10/10 [00:01<00:00,  9.10it/s]test accuracy: 0.91');
    assert.deepEqual(clean, [{ values: { test_accuracy: 0.91 } }]);
    assert.deepEqual(glued, clean);
  });

  it("reads both the bar's postfix and the glued output, each on its own axis", () => {
    assert.deepEqual(parseLineMetrics('train: 100%|██████████| 10/10 [00:01<00:00,  9.10it/s, loss=0.2]val_loss=0.3'), [
      { values: { loss: 0.2 }, step: 10, progress: { done: 10, total: 10 } },
      { values: { val_loss: 0.3 } },
    ]);
  });

  it('reads no metric from a warning glued to a bar', () => {
    const line =
      'train: 100%|██████████| 10/10 [00:01<00:00,  9.10it/s]/opt/torch/nn/modules/rnn.py:67: UserWarning: dropout option adds ' +
      'dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=0.2 and num_layers=1';
    assert.deepEqual(parseLineMetrics(line), []);
  });
});

describe('metricGoal', () => {
  it('min for loss-like names, max for accuracy-like ones, none otherwise', () => {
    const names = ['loss', 'valid_ppl', 'val/loss', 'test_accuracy', 'acc1', 'eval_f1', 'lr', 'grad_norm', 'lossy_count'];
    assert.deepEqual(
      names.map((name) => metricGoal(name)),
      ['min', 'min', 'min', 'max', 'max', 'max', undefined, undefined, undefined],
    );
  });
});
