import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobLogSession } from '../../../src/logs/jobLogSession';
import type { SeriesUpdate } from '../../../src/logs/metricSeries';
import { runSummary } from '../../../src/logs/runSummary';

// Logs that PyTorch 2.11 printed on a real GPU machine (see the folder's README), read by the
// panel's whole pipeline: the job's cached log, restored as a reopened panel does.
const fixtures = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'torch-2.11-h200');
const shapes = path.join(fixtures, '..', 'log-shapes');

const opened: { session: JobLogSession; dir: string }[] = [];

function read(...files: string[]): JobLogSession {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azp-fixture-'));
  const cacheDir = path.join(dir, 'cache');
  fs.mkdirSync(cacheDir);
  files.forEach((file, node) =>
    fs.copyFileSync(path.isAbsolute(file) ? file : path.join(fixtures, file), path.join(cacheDir, `node-${node}.log`)),
  );
  const session = new JobLogSession(
    {
      jobId: 'fixture',
      title: files[0],
      nodes: files.map((_, node) => ({
        machine: { kind: 'ssh', id: 'vm', label: 'vm' },
        logPath: `node-${node}.log`,
        pidPath: 'pid',
        exitCodePath: 'exit-code',
      })),
    },
    { cacheDir, connect: () => Promise.reject(new Error('offline')), telemetryIntervalMs: 0 },
    { onLines() {}, onPending() {}, onStatus() {}, onFailure() {}, onGpu() {} },
  );
  opened.push({ session, dir });
  return session;
}

/** `metric @ stream: x,y x,y …` for every series, sorted. */
function seriesOf(session: JobLogSession): string[] {
  return session.metrics
    .snapshot()
    .map((series: SeriesUpdate) => `${series.metric} @ ${series.stream} (${series.axis}): ${pairs(series.points)}`)
    .sort();
}

function pairs(points: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < points.length; i += 2) out.push(`${points[i]},${points[i + 1]}`);
  return out.join(' ');
}

/** Each stored line as `rank|text`, the rank '' for lines without a worker prefix. */
function linesOf(session: JobLogSession): string[] {
  return Array.from({ length: session.store.lineCount }, (_, i) => {
    const line = session.store.line(i);
    return `${line.rank}|${line.text}`;
  });
}

const ncclMessage = (rank: number, other: number): string =>
  'torch.distributed.DistBackendError: NCCL error in: /pytorch/torch/csrc/distributed/c10d/NCCLUtils.cpp:93, invalid usage ' +
  '(run with NCCL_DEBUG=WARN for details), NCCL version 2.28.9\n' +
  'ncclInvalidUsage: This usually reflects invalid usage of NCCL library.\n' +
  'Last error:\n' +
  `Duplicate GPU detected : rank ${rank} and rank ${other} both on CUDA device 60`;

describe('PyTorch 2.11 logs from a GPU machine', () => {
  afterEach(() => {
    for (const { session, dir } of opened.splice(0)) {
      session.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gpu-train-a: one stream, loss and lr by step, no failure', () => {
    const session = read('gpu-train-a.log');
    assert.deepEqual(new Set(linesOf(session).map((line) => line.split('|')[0])), new Set(['']));
    assert.deepEqual(seriesOf(session), [
      'loss @ log (step): 20,0.05 40,0.025 60,0.01667 80,0.0125 100,0.01 120,0.00833 140,0.00714',
      'lr @ log (step): 20,0.001 40,0.001 60,0.001 80,0.001 100,0.001 120,0.001 140,0.001',
    ]);
    assert.deepEqual(session.failures, []);
  });

  it("nccl-two-b: each worker's `[default0]:[rank0]:` traceback, with frames and its whole message", () => {
    const session = read('nccl-two-b.log');
    const lines = linesOf(session);
    assert.equal(lines[5], 'default0|Traceback (most recent call last):');
    assert.equal(lines[6], 'default0|  File "/home/azureuser/.azure-pytorch/ws/probe-ws/./nccl_two_on_one.py", line 6, in <module>');
    assert.deepEqual(seriesOf(session), []);
    const workers = session.failures.filter((failure) => failure.rank !== '');
    assert.deepEqual(
      workers.map(({ kind, rank, startLine, endLine, message }) => ({ kind, rank, startLine, endLine, message })),
      [
        { kind: 'nccl', rank: 'default0', startLine: 5, endLine: 17, message: ncclMessage(0, 1) },
        { kind: 'nccl', rank: 'default1', startLine: 18, endLine: 30, message: ncclMessage(1, 0) },
      ],
    );
    assert.deepEqual(
      workers[0].frames.map((frame) => `${frame.path}:${frame.line}`),
      [
        '/home/azureuser/.azure-pytorch/ws/probe-ws/./nccl_two_on_one.py:6',
        '/opt/torch/.venv/lib/python3.12/site-packages/torch/distributed/c10d_logger.py:83',
        '/opt/torch/.venv/lib/python3.12/site-packages/torch/distributed/distributed_c10d.py:3068',
      ],
    );
    assert.deepEqual(
      session.failures.map((failure) => `${failure.rank}:${failure.kind}`),
      ['default0:nccl', 'default1:nccl', ':childFailed'],
    );
    assert.equal(session.rootCause(), workers[0]);
  });

  it('gloo-two-c: lines shared by two workers are split, and each loss is charted under its own rank', () => {
    const session = read('gloo-two-c.log');
    const lines = linesOf(session);
    assert.deepEqual(lines.slice(6, 8), ['default0|rank0:   0%|          | 0/30 [00:00<?, ?it/s]', 'default1|step=10 loss=0.01553']);
    assert.ok(lines.includes('default0|rank0:  63%|██████▎   | 19/30 [00:00<00:00, 423.39it/s]'));
    assert.ok(lines.includes('default0|step=10 loss=0.02381'));
    assert.ok(!lines.some((line) => /\]:/.test(line.slice(line.indexOf('|')))), 'no prefix left inside a line');
    assert.deepEqual(seriesOf(session), [
      'loss @ rank 0 (step): 10,0.02381 20,0.00351 30,0.00052',
      'loss @ rank 1 (step): 10,0.01553 20,0.00266 30,0.00034',
    ]);
    assert.deepEqual(session.failures, []);
  });

  it('mn-gloo-e (torch without the prefix template): both nodes chart loss per local rank and node; tqdm descriptions (`rank2:`) are not metrics', () => {
    const session = read('mn-gloo-e.node-0.log', 'mn-gloo-e.node-1.log');
    assert.deepEqual(seriesOf(session), [
      'loss @ local rank 0 (node 0) (step): 10,0.04248 20,0.01242 30,0.00129',
      'loss @ local rank 0 (node 1) (step): 10,0.06738 20,0.00438 30,0.0019',
      'loss @ local rank 1 (node 0) (step): 10,0.048 20,0.00997 30,0.00096',
      'loss @ local rank 1 (node 1) (step): 10,0.05406 20,0.01392 30,0.00196',
    ]);
    assert.deepEqual(session.failures, []);
  });

  it('oom-d: CUDA out of memory is the root cause, not ChildFailedError', () => {
    const session = read('oom-d.log');
    assert.deepEqual(
      session.failures.map((failure) => `${failure.kind} ${failure.startLine}-${failure.endLine}`),
      ['cudaOom 2-6', 'childFailed 8-39'],
    );
    assert.match(session.rootCause()!.summary, /^torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 400\.00 GiB\./);
    assert.deepEqual(seriesOf(session), []);
  });

  it('venv-f: the missing module', () => {
    const session = read('venv-f.log');
    assert.deepEqual(
      session.failures.map(({ kind, summary, frames }) => ({ kind, summary, frames: frames.length })),
      [{ kind: 'traceback', summary: "ModuleNotFoundError: No module named 'torch'", frames: 1 }],
    );
    assert.deepEqual(seriesOf(session), []);
  });

  it("third-party shapes: a warning's name=value is no metric; tables chart; a chain's last exception is the cause", () => {
    const session = read('third-party-shapes.log');
    assert.deepEqual(seriesOf(session), [
      'loss @ log (epoch): 1.0670465973851826,6.98 1.1340931947703654,6.41',
      'lr @ log (epoch): 1.0670465973851826,20 1.1340931947703654,20',
      'ppl @ log (epoch): 1.0670465973851826,1074.46 1.1340931947703654,608.16',
    ]);
    assert.deepEqual(
      session.failures.map((failure) => [failure.summary, failure.superseded === true]),
      [
        ["KeyError: 'NOPE'", true],
        ['ValueError: An invalid option for --model was supplied, options are', false],
      ],
    );
    const cause = session.rootCause()!;
    assert.equal(cause.message, "ValueError: An invalid option for --model was supplied, options are\n  ['LSTM', 'GRU', 'Transformer']");
    assert.deepEqual(cause.chain, ["KeyError: 'NOPE'"]);
    assert.deepEqual([cause.startLine, cause.endLine], [12, 16]);
  });

  it("tqdm: the postfix is charted once per step at the bar's counter, redraws in place included; not the rate", () => {
    const session = read('tqdm-postfix.log');
    assert.deepEqual(seriesOf(session), ['acc @ log (step): 26,0.91', 'loss @ log (step): 25,0.29 26,0.27 27,0.25 28,0.24 29,0.23']);
  });

  it("mn-rank-prefix (torch ≥ 2.2 with the run script's prefix template): series and filter name global ranks with their node", () => {
    const session = read(path.join(shapes, 'mn-rank-prefix.node-0.log'), path.join(shapes, 'mn-rank-prefix.node-1.log'));
    assert.deepEqual(seriesOf(session), [
      'loss @ rank 0 (node 1) (step): 10,0.06738 20,0.00438 30,0.0019',
      'loss @ rank 1 (node 1) (step): 10,0.05406 20,0.01392 30,0.00196',
      'loss @ rank 2 (node 0) (step): 10,0.04248 20,0.01242 30,0.00129',
      'loss @ rank 3 (node 0) (step): 10,0.048 20,0.00997 30,0.00096',
    ]);
    assert.deepEqual(
      session.store.index.streamsSeen.filter(({ rank }) => rank !== '').map(({ node, rank }) => `${node}:${rank}`),
      ['0:rank3', '0:rank2', '1:rank1', '1:rank0'],
    );
  });

  it('word_language_model, one epoch: a warning is no metric, wall times are not charted, results are one-point series with a summary', () => {
    const session = read(path.join(shapes, 'word-lm-one-epoch.log'));
    assert.deepEqual(seriesOf(session), [
      'loss @ log (epoch): 1.0670465973851826,6.98 1.1340931947703654,6.41',
      'lr @ log (epoch): 1.0670465973851826,20 1.1340931947703654,20',
      'ppl @ log (epoch): 1.0670465973851826,1074.46 1.1340931947703654,608.16',
      'test_loss @ log (sample): 1,6.5',
      'test_ppl @ log (sample): 1,667.31',
      'valid_loss @ log (epoch): 1,6.17',
      'valid_ppl @ log (epoch): 1,475.92',
    ]);
    assert.deepEqual(
      runSummary(session.metrics.snapshot()).map(({ metric, last, best }) => [metric, last, best]),
      [
        ['loss', 6.41, 6.41],
        ['lr', 20, undefined],
        ['ppl', 608.16, 608.16],
        ['test_loss', 6.5, 6.5],
        ['test_ppl', 667.31, 667.31],
        ['valid_loss', 6.17, 6.17],
        ['valid_ppl', 475.92, 475.92],
      ],
    );
  });

  it('glued results: a result glued to a bar is named as when printed clean; a warning after a bar is no metric', () => {
    const session = read(path.join(shapes, 'glued-results.log'));
    assert.deepEqual(seriesOf(session), [
      'loss @ rank 0 (step): 10,0.52',
      'loss @ rank 1 (step): 10,0.55',
      'test_accuracy @ rank 0 (sample): 1,0.91',
      'test_accuracy @ rank 1 (sample): 1,0.9',
    ]);
  });

  it("tqdm redrawn in place on two ranks: each postfix charted once per step, by step, the step's last value", () => {
    const session = read(path.join(shapes, 'tqdm-in-place.log'));
    assert.deepEqual(seriesOf(session), ['loss @ rank 0 (step): 1,0.9 2,0.75 3,0.7', 'loss @ rank 1 (step): 1,0.95 2,0.85']);
  });
});
