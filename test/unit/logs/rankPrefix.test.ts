import * as assert from 'node:assert/strict';
import { embeddedPrefixOffsets, splitRankPrefix } from '../../../src/logs/rankPrefix';
import { compareRanks, rankLabel } from '../../../src/logs/rankLabel';

describe('splitRankPrefix', () => {
  it("takes torch 2.x's `[rank0]: ` off inside torchrun's prefix, keeping torchrun's label", () => {
    assert.deepEqual(splitRankPrefix('[default0]:[rank0]: Traceback (most recent call last):'), {
      rank: 'default0',
      text: 'Traceback (most recent call last):',
    });
    assert.deepEqual(splitRankPrefix('[default1]:[rank1]:   File "a.py", line 6, in <module>'), {
      rank: 'default1',
      text: '  File "a.py", line 6, in <module>',
    });
    assert.deepEqual(splitRankPrefix('[default0]:[rank0]:[W1204 18:34:43.416849538 ProcessGroupNCCL.cpp:1575] Warning'), {
      rank: 'default0',
      text: '[W1204 18:34:43.416849538 ProcessGroupNCCL.cpp:1575] Warning',
    });
  });
});

describe('embeddedPrefixOffsets', () => {
  it("finds another worker's prefix after some text of the first", () => {
    const line = '[default0]:rank0:  63%|▎| 19/30 [00:00<00:00, 423.39it/s][default1]:step=10 loss=0.02381';
    assert.deepEqual(embeddedPrefixOffsets(line), [line.indexOf('[default1]')]);
  });

  it('ignores a nested `[rank0]:`, prefixes of another kind, and lines that have no prefix', () => {
    assert.deepEqual(embeddedPrefixOffsets('[default0]:[rank0]: Traceback'), []);
    assert.deepEqual(embeddedPrefixOffsets('[default0]:Accuracy [top1]: 0.91'), []);
    assert.deepEqual(embeddedPrefixOffsets('step 3 [default1]: x'), []);
  });
});

describe('rankLabel', () => {
  it('names a worker by its global rank where the prefix gives it, with its node on a multi-node job', () => {
    assert.equal(rankLabel(1, 'rank3', 2), 'rank 3 (node 1)');
    assert.equal(rankLabel(0, 'rank3', 1), 'rank 3');
  });

  it("falls back to node and local rank for older torch's `[default0]:`, the same label on every node", () => {
    assert.equal(rankLabel(0, 'default0', 2), 'local rank 0 (node 0)');
    assert.equal(rankLabel(1, 'default0', 2), 'local rank 0 (node 1)');
    assert.equal(rankLabel(0, 'default1', 1), 'rank 1', 'on one node the local rank is the rank');
    assert.equal(rankLabel(1, '', 2), 'node 1');
    assert.equal(rankLabel(0, '', 1), '');
    assert.equal(rankLabel(1, 'trainer0', 2), 'trainer0 (node 1)');
  });

  it('orders workers by global rank, else by node then local rank', () => {
    const workers = [
      { node: 0, rank: 'rank3' },
      { node: 1, rank: 'rank0' },
      { node: 0, rank: '' },
      { node: 0, rank: 'rank2' },
    ];
    assert.deepEqual(
      workers.sort(compareRanks).map((w) => w.rank),
      ['', 'rank0', 'rank2', 'rank3'],
    );
    const local = [
      { node: 1, rank: 'default0' },
      { node: 0, rank: 'default1' },
      { node: 0, rank: 'default0' },
    ];
    assert.deepEqual(
      local.sort(compareRanks).map((w) => `${w.node}:${w.rank}`),
      ['0:default0', '0:default1', '1:default0'],
    );
  });
});
