import * as assert from 'node:assert/strict';
import { parseAnsi, stripAnsi } from '../../../src/logs/ansi';
import { resolveCarriageReturns } from '../../../src/logs/carriageReturn';
import { LineSplitter } from '../../../src/logs/lineSplitter';
import { isInsideFolder, mapRemotePath } from '../../../src/logs/pathMapping';
import { splitRankPrefix } from '../../../src/logs/rankPrefix';

describe('resolveCarriageReturns', () => {
  it('shows the last redraw of a tqdm bar', () => {
    const bar = ' 10%|█         | 1/10 [00:01<00:09]\r 50%|█████     | 5/10 [00:05<00:05]\r100%|██████████| 10/10 [00:10<00:00]';
    assert.equal(resolveCarriageReturns(bar), '100%|██████████| 10/10 [00:10<00:00]');
  });

  it('overwrites only as many columns as the shorter redraw', () => {
    assert.equal(resolveCarriageReturns('abcdef\rXY'), 'XYcdef');
  });

  it('ignores the \\r of \\r\\n and of a bar about to be redrawn', () => {
    assert.equal(resolveCarriageReturns('done\r'), 'done');
    assert.equal(resolveCarriageReturns('plain'), 'plain');
  });

  it('takes the last non-empty segment when colours make columns unknowable', () => {
    assert.equal(resolveCarriageReturns('\x1b[32m 1/2\x1b[0m\r\x1b[32m 2/2\x1b[0m\r'), '\x1b[32m 2/2\x1b[0m');
  });
});

describe('splitRankPrefix', () => {
  it('reads torchrun --tee prefixes', () => {
    assert.deepEqual(splitRankPrefix('[default0]:epoch 1 loss=0.5'), { rank: 'default0', text: 'epoch 1 loss=0.5' });
    assert.deepEqual(splitRankPrefix('[rank12]:[W socket.cpp:601] warning'), { rank: 'rank12', text: '[W socket.cpp:601] warning' });
    assert.deepEqual(splitRankPrefix('[trainer3]:x'), { rank: 'trainer3', text: 'x' });
  });

  it('leaves other brackets alone', () => {
    assert.deepEqual(splitRankPrefix('[W socket.cpp:601] x'), { rank: '', text: '[W socket.cpp:601] x' });
    assert.deepEqual(splitRankPrefix('[2024-01-01 10:00:00] x'), { rank: '', text: '[2024-01-01 10:00:00] x' });
    assert.deepEqual(splitRankPrefix('[default0] no colon'), { rank: '', text: '[default0] no colon' });
  });

  it('keeps colour codes that come before the prefix', () => {
    assert.deepEqual(splitRankPrefix('\x1b[31m[default1]:boom'), { rank: 'default1', text: '\x1b[31mboom' });
  });
});

describe('parseAnsi', () => {
  it('turns SGR codes into styled spans', () => {
    assert.deepEqual(parseAnsi('a\x1b[1;31mB\x1b[0mc'), [
      { text: 'a', style: {} },
      { text: 'B', style: { bold: true, fg: 'ansi:1' } },
      { text: 'c', style: {} },
    ]);
  });

  it('reads bright, 256-colour and true-colour codes', () => {
    assert.deepEqual(parseAnsi('\x1b[92mx')[0].style, { fg: 'ansi:10' });
    assert.deepEqual(parseAnsi('\x1b[38;5;196mx')[0].style, { fg: '#ff0000' });
    assert.deepEqual(parseAnsi('\x1b[48;2;1;2;3mx')[0].style, { bg: '#010203' });
    assert.deepEqual(parseAnsi('\x1b[38;5;244mx')[0].style, { fg: '#808080' });
  });

  it('understands colon-form colours and underline styles', () => {
    assert.deepEqual(parseAnsi('\x1b[38:2::255:128:0mx')[0], { text: 'x', style: { fg: '#ff8000' } });
    assert.deepEqual(parseAnsi('\x1b[48:2:1:2:3mx')[0].style, { bg: '#010203' });
    assert.deepEqual(parseAnsi('\x1b[1;38:5:196mx')[0].style, { bold: true, fg: '#ff0000' });
    const [curly, plain] = parseAnsi('\x1b[4:3mx\x1b[4:0my');
    assert.deepEqual([curly.text, curly.style.underline, plain.text, plain.style.underline], ['x', true, 'y', undefined]);
    assert.equal(stripAnsi('\x1b[38:2::1:2:3mred\x1b[m'), 'red');
  });

  it('keeps the rest of a line after an OSC that never ends, and drops ended ones', () => {
    assert.equal(stripAnsi('a\x1b]0;title\x07b'), 'ab');
    assert.equal(stripAnsi('\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ done'), 'link done');
    assert.equal(stripAnsi('\x1b]8;;http://x\x1b[31mred'), 'red');
    assert.equal(stripAnsi('loss=0.5 \x1b]2;unterminated step=3'), 'loss=0.5 2;unterminated step=3');
  });

  it('drops cursor movement and erase codes', () => {
    assert.equal(stripAnsi('\x1b[A\x1b[2Kline\x1b[K'), 'line');
    assert.deepEqual(parseAnsi('\x1b[2Kline'), [{ text: 'line', style: {} }]);
  });
});

describe('LineSplitter', () => {
  it('keeps a partial line until its end arrives, across any cut', () => {
    const text = Buffer.from('héllo wörld\nsecond line\nthird');
    for (let cut = 0; cut <= text.length; cut++) {
      const splitter = new LineSplitter();
      const lines = [...splitter.push(text.subarray(0, cut)), ...splitter.push(text.subarray(cut))];
      assert.deepEqual(
        lines.map((line) => line.toString()),
        ['héllo wörld', 'second line'],
        `cut at ${cut}`,
      );
      assert.equal(splitter.pending.toString(), 'third');
    }
  });

  it('delivers empty lines', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(Buffer.from('\n\na\n')).map(String), ['', '', 'a']);
    assert.equal(splitter.pendingLength, 0);
  });
});

describe('mapRemotePath', () => {
  const mapping = { remoteRoot: '/home/azureuser/.azure-pytorch/ws/w1/', localRoot: '/Users/me/project' };

  it('maps files of the synced workspace', () => {
    assert.equal(mapRemotePath('/home/azureuser/.azure-pytorch/ws/w1/src/model.py', mapping), '/Users/me/project/src/model.py');
    assert.equal(mapRemotePath('/home/azureuser/.azure-pytorch/ws/w1/./src/../train.py', mapping), '/Users/me/project/train.py');
  });

  it('maps relative paths from the workspace, where jobs start', () => {
    assert.equal(mapRemotePath('train.py', mapping), '/Users/me/project/train.py');
  });

  it('uses the local separator for Windows folders', () => {
    assert.equal(
      mapRemotePath('/home/azureuser/.azure-pytorch/ws/w1/a/b.py', { ...mapping, localRoot: 'C:\\work\\proj\\' }),
      'C:\\work\\proj\\a\\b.py',
    );
  });

  it('leaves files outside the workspace unmapped', () => {
    assert.equal(mapRemotePath('/usr/lib/python3/dist-packages/torch/nn/modules/module.py', mapping), undefined);
    assert.equal(mapRemotePath('/home/azureuser/.azure-pytorch/ws/w10/train.py', mapping), undefined);
    assert.equal(mapRemotePath('../w2/train.py', mapping), undefined);
    assert.equal(mapRemotePath('<frozen runpy>', mapping), undefined);
  });

  it('maps no path with a backslash: on a Windows folder `..\\..\\` would leave the workspace', () => {
    const windows = { ...mapping, localRoot: 'C:\\work\\proj' };
    assert.equal(mapRemotePath('/home/azureuser/.azure-pytorch/ws/w1/..\\..\\..\\secrets.txt', windows), undefined);
    assert.equal(mapRemotePath('a\\b.py', windows), undefined);
    assert.equal(mapRemotePath('a\\b.py', mapping), undefined);
  });
});

describe('isInsideFolder', () => {
  it('accepts files under the folder, after resolving . and ..', () => {
    assert.equal(isInsideFolder('/Users/me/project/src/a.py', '/Users/me/project'), true);
    assert.equal(isInsideFolder('/Users/me/project/./src/../a.py', '/Users/me/project/'), true);
    assert.equal(isInsideFolder('C:\\Work\\Proj\\a.py', 'c:\\work\\proj'), true);
  });

  it('rejects the folder itself, its neighbours, escapes and the other platform', () => {
    assert.equal(isInsideFolder('/Users/me/project', '/Users/me/project'), false);
    assert.equal(isInsideFolder('/Users/me/projectx/a.py', '/Users/me/project'), false);
    assert.equal(isInsideFolder('/Users/me/project/../../etc/passwd', '/Users/me/project'), false);
    assert.equal(isInsideFolder('C:\\work\\proj\\..\\..\\secrets.txt', 'C:\\work\\proj'), false);
    assert.equal(isInsideFolder('D:\\work\\proj\\a.py', 'C:\\work\\proj'), false);
    assert.equal(isInsideFolder('/work/proj/a.py', 'C:\\work\\proj'), false);
    assert.equal(isInsideFolder('a.py', '/Users/me/project'), false);
  });
});
