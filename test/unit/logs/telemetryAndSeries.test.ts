import * as assert from 'node:assert/strict';
import { followArgv, parseEndMarker } from '../../../src/logs/followCommand';
import { MetricSeriesSet } from '../../../src/logs/metricSeries';
import { parseNvidiaSmi } from '../../../src/logs/nvidiaSmi';

describe('parseNvidiaSmi', () => {
  it('reads one GPU a line, names with commas included', () => {
    assert.deepEqual(parseNvidiaSmi('0, NVIDIA A100 80GB PCIe, 97, 40123, 81920\n1, Weird, Name, 3, [N/A], 81920\n', '', 0), {
      kind: 'ok',
      gpus: [
        { index: 0, name: 'NVIDIA A100 80GB PCIe', utilization: 97, memoryUsedMiB: 40123, memoryTotalMiB: 81920 },
        { index: 1, name: 'Weird, Name', utilization: 3, memoryUsedMiB: undefined, memoryTotalMiB: 81920 },
      ],
    });
  });

  it('turns every failure into a reason', () => {
    assert.deepEqual(parseNvidiaSmi('No devices were found\n', '', 6), { kind: 'unavailable', reason: 'No devices were found' });
    assert.deepEqual(parseNvidiaSmi('', 'sh: 1: nvidia-smi: not found\n', 127), {
      kind: 'unavailable',
      reason: 'nvidia-smi is not installed on this VM',
    });
    assert.equal(parseNvidiaSmi('garbage\n', '', 0).kind, 'unavailable');
    assert.equal(parseNvidiaSmi('', '', 0).kind, 'unavailable');
  });
});

describe('MetricSeriesSet', () => {
  it('keeps one series per metric and stream, x from step, epoch progress or count', () => {
    const set = new MetricSeriesSet();
    set.add({ values: { loss: 2 }, step: 10 }, 'rank0');
    set.add({ values: { loss: 3 }, step: 10 }, 'rank1', 0, 'rank1');
    set.add({ values: { acc: 0.5 }, epoch: 1, progress: { done: 1, total: 4 } }, 'rank0');
    set.add({ values: { ppl: 9 } }, 'rank0');
    set.add({ values: { ppl: 8 } }, 'rank0');
    assert.deepEqual(
      set.takeUpdates().map((u) => [u.metric, u.stream, u.rank, u.axis, u.points]),
      [
        ['loss', 'rank0', '', 'step', [10, 2]],
        ['loss', 'rank1', 'rank1', 'step', [10, 3]],
        ['acc', 'rank0', '', 'epoch', [1.25, 0.5]],
        ['ppl', 'rank0', '', 'sample', [1, 9, 2, 8]],
      ],
    );
    set.add({ values: { loss: 1 }, step: 20 }, 'rank0');
    assert.deepEqual(set.takeUpdates(), [
      { metric: 'loss', stream: 'rank0', node: 0, rank: '', axis: 'step', points: [20, 1], reset: false, best: 1 },
    ]);
  });

  it('keeps the best value (min of a loss, max of an accuracy) over points that thinning drops', () => {
    const set = new MetricSeriesSet(10);
    const losses = Array.from({ length: 100 }, (_, i) => (i === 37 ? 0.01 : 1 + (i % 3)));
    losses.forEach((loss) => set.add({ values: { loss, acc: loss / 10, lr: loss } }, 'log'));
    const byMetric = new Map(set.snapshot().map((series) => [series.metric, series]));
    assert.ok(!byMetric.get('loss')!.points.includes(0.01), 'the best point itself was thinned away');
    assert.equal(byMetric.get('loss')!.best, 0.01);
    assert.equal(byMetric.get('acc')!.best, 0.3);
    assert.equal(byMetric.get('lr')!.best, undefined, 'lr has no better direction');
  });

  it('thins a long series to its cap, keeping the newest point', () => {
    const set = new MetricSeriesSet(100);
    for (let step = 1; step <= 1000; step++) set.add({ values: { loss: 1 / step }, step }, 'log');
    const [series] = set.snapshot();
    assert.ok(series.points.length / 2 <= 100, `${series.points.length / 2} points`);
    assert.deepEqual(series.points.slice(-2), [1000, 1 / 1000]);
    assert.equal(series.points[0], 1);
  });
});

describe('follow command', () => {
  it('passes paths as arguments and resumes after the bytes held', () => {
    const argv = followArgv({ logPath: "/h/o'dd $(x).log", pidPath: '/p', exitCodePath: '/e' }, 1234);
    assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
    assert.deepEqual(argv.slice(3), ['azure-pytorch-follow', "/h/o'dd $(x).log", '1235', '/p', '/e', '/dev/null', '/dev/null', '']);
    assert.ok(!argv[2].includes("o'dd"));
    assert.throws(() => followArgv({ logPath: 'l', pidPath: 'p', exitCodePath: 'e' }, -1));
  });

  it('reads the end marker', () => {
    assert.deepEqual(parseEndMarker('azure-pytorch-follow-end exit-code=137 cancelled=1 started=1700000000 ended=2024-01-01T00:00:10Z'), {
      exitCode: 137,
      cancelled: true,
      startedAt: 1_700_000_000_000,
      endedAt: Date.parse('2024-01-01T00:00:10Z'),
    });
    assert.deepEqual(parseEndMarker('azure-pytorch-follow-end exit-code= cancelled=0 started= ended='), {
      exitCode: undefined,
      cancelled: false,
      startedAt: undefined,
      endedAt: undefined,
    });
    assert.equal(parseEndMarker('tail: file truncated'), undefined);
  });
});
