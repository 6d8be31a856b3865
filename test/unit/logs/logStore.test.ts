import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineView } from '../../../src/logs/lineView';
import { LogStore, type StoredLine } from '../../../src/logs/logStore';
import { exportLog } from '../../../src/logs/logExport';

describe('LogStore', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-store-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function collect(store: LogStore, node: number, text: string): StoredLine[] {
    const lines: StoredLine[] = [];
    store.ingest(node, Buffer.from(text), (line) => lines.push(line));
    return lines;
  }

  it('merges nodes in arrival order, with rank labels and resolved progress bars', () => {
    const store = new LogStore(dir, 2);
    collect(store, 0, '[default0]:a0\n[default1]:a1\n');
    collect(store, 1, 'b0\n[default0]:pro');
    collect(store, 0, 'a2\n');
    const last = collect(store, 1, 'gress 10%\rprogress 100%\n');
    assert.deepEqual(
      last.map((line) => [line.index, line.rank, line.text]),
      [[4, 'default0', 'progress 100%']],
    );
    assert.deepEqual(
      Array.from({ length: store.lineCount }, (_, i) => [store.index.node(i), store.line(i).text]),
      [
        [0, 'a0'],
        [0, 'a1'],
        [1, 'b0'],
        [0, 'a2'],
        [1, 'progress 100%'],
      ],
    );
    assert.equal(store.offset(1), Buffer.byteLength('b0\n[default0]:progress 10%\rprogress 100%\n'));
    store.close();
  });

  it('restores the same merged log, partial lines included, from its cache', () => {
    const first = new LogStore(dir, 2);
    collect(first, 1, 'one\n');
    collect(first, 0, 'two\nthr');
    collect(first, 1, 'four\n');
    first.close();
    const restored = new LogStore(dir, 2);
    const lines: StoredLine[] = [];
    restored.restore((line) => lines.push(line));
    assert.deepEqual(
      lines.map((line) => [line.node, line.text]),
      [
        [1, 'one'],
        [0, 'two'],
        [1, 'four'],
      ],
    );
    assert.equal(restored.pendingText(0), 'thr');
    assert.equal(restored.offset(0), 7);
    const more = collect(restored, 0, 'ee\n');
    assert.deepEqual(
      more.map((line) => [line.index, line.text]),
      [[3, 'three']],
    );
    restored.close();
  });

  it('serves any line of a large log from disk, through its page cache', () => {
    const store = new LogStore(dir, 3);
    for (let block = 0; block < 30; block++) {
      for (let node = 0; node < 3; node++) {
        const text = Array.from({ length: 1000 }, (_, i) => `n${node} line ${block * 1000 + i}`).join('\n') + '\n';
        collect(store, node, text);
      }
    }
    assert.equal(store.lineCount, 90_000);
    for (const index of [0, 999, 1000, 45_678, 89_999, 12_345, 0]) {
      const block = Math.floor(index / 3000);
      const node = Math.floor((index % 3000) / 1000);
      assert.equal(store.line(index).text, `n${node} line ${block * 1000 + (index % 1000)}`);
    }
    store.close();
  });

  it('filters by node and by worker (node and rank) and searches both ways with wrap-around', async () => {
    const store = new LogStore(dir, 2);
    const view = new LineView(store);
    const add = (node: number, text: string) => collect(store, node, text).forEach((line) => view.added(line.index));
    add(0, '[default0]:loss 1\n[default1]:loss 2\n');
    add(1, '[default0]:Loss 3\n[default1]:other\n');
    view.setFilter({ ranks: [{ node: 0, rank: 'default1' }] });
    assert.deepEqual(
      Array.from({ length: view.length }, (_, i) => view.lineAt(i)),
      [1],
      "node 1's default1 is another worker",
    );
    add(0, '[default1]:late\n');
    assert.equal(view.length, 2);
    assert.equal(view.positionOf(0), -1);
    assert.equal(view.positionOf(4), 1);
    view.setFilter({
      ranks: [
        { node: 0, rank: 'default1' },
        { node: 1, rank: 'default1' },
      ],
    });
    assert.deepEqual(
      Array.from({ length: view.length }, (_, i) => view.lineAt(i)),
      [1, 3, 4],
    );
    view.setFilter({ nodes: [1] });
    assert.deepEqual(
      Array.from({ length: view.length }, (_, i) => view.lineAt(i)),
      [2, 3],
    );
    view.setFilter({});
    assert.equal(await view.search('loss', -1, 'next'), 0);
    assert.equal(await view.search('loss', 0, 'next'), 1);
    assert.equal(await view.search('loss', 2, 'next'), 0, 'wraps around');
    assert.equal(await view.search('Loss', 0, 'next'), 2, 'capitals make it case-sensitive');
    assert.equal(await view.search('loss', 0, 'previous'), 2);
    assert.equal(await view.search('absent', 0, 'next'), -1);
    store.close();
  });

  it('exports the merged log as plain labelled text', () => {
    const store = new LogStore(dir, 2);
    collect(store, 0, '\x1b[31mred\x1b[0m\n');
    collect(store, 1, '[rank1]:x\n');
    const file = path.join(dir, 'out.log');
    exportLog(store, ['gpu0', 'gpu1'], file);
    assert.equal(fs.readFileSync(file, 'utf8'), '[gpu0] red\n[gpu1 rank1] x\n');
    store.close();
  });
});
