import * as assert from 'node:assert/strict';
import { embeddedPrefixOffsets, splitRankPrefix } from '../../../src/logs/rankPrefix';

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
