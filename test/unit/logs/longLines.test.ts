import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { displayLine } from '../../../src/logs/displayLine';
import { LineSplitter, lineCutMarker } from '../../../src/logs/lineSplitter';
import { LogStore, type StoredLine } from '../../../src/logs/logStore';

function bar(step: number): string {
  return `\r${String(step).padStart(6)}/1000000 [00:01<00:09, loss=0.${step % 10}]`;
}

describe('lines that never end', () => {
  it('keeps a progress bar that never prints a newline bounded: rank prefix and last redraw', () => {
    const splitter = new LineSplitter(1024);
    splitter.push(Buffer.from('[default0]:'));
    for (let step = 0; step < 5000; step++) splitter.push(Buffer.from(bar(step)));
    assert.ok(splitter.pendingLength <= 2048, `pending ${splitter.pendingLength} bytes`);
    assert.equal(displayLine(splitter.pending).text, bar(4999).slice(1));
    assert.deepEqual(splitter.push(Buffer.from('\n')).map(String), ['[default0]:' + bar(4999).slice(1)]);
  });

  it('cuts a line without carriage returns, says so, and a later redraw replaces it', () => {
    const splitter = new LineSplitter(100);
    splitter.push(Buffer.from('x'.repeat(60)));
    splitter.push(Buffer.from('y'.repeat(60)));
    splitter.push(Buffer.from('z'.repeat(60)));
    assert.equal(splitter.pending.toString(), 'x'.repeat(60) + 'y'.repeat(40) + lineCutMarker);
    assert.ok(splitter.pendingLength <= 100);
    splitter.push(Buffer.from('\rshort'));
    assert.equal(splitter.pending.toString(), 'short');
    assert.deepEqual(splitter.push(Buffer.from('\n')).map(String), ['short']);
  });

  it('gives the same line whatever the chunking', () => {
    const text = Buffer.from('[rank1]:' + 'a'.repeat(150) + '\r' + 'b'.repeat(30) + '\r' + 'c'.repeat(250) + '\r\r\n');
    const whole = new LineSplitter(100).push(text).map(String);
    for (const size of [1, 7, 64, 99, 101]) {
      const splitter = new LineSplitter(100);
      const lines: string[] = [];
      for (let at = 0; at < text.length; at += size) lines.push(...splitter.push(text.subarray(at, at + size)).map(String));
      assert.deepEqual(lines, whole, `chunks of ${size}`);
    }
    assert.deepEqual(whole, ['[rank1]:' + 'c'.repeat(100) + lineCutMarker]);
  });

  describe('in the store', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'long-lines-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('shows the last redraw of a long line, live, read back and restored, with byte offsets intact', () => {
      const redrawn: string[] = [];
      const onRedrawn = (_node: number, rank: string, texts: string[]) => redrawn.push(...texts.map((text) => `${rank} ${text}`));
      const store = new LogStore(dir, 1, onRedrawn);
      const lines: StoredLine[] = [];
      const ingest = (text: string) => store.ingest(0, Buffer.from(text), (line) => lines.push(line));
      ingest('before\n[default0]:');
      let sent = 'before\n[default0]:'.length;
      for (let step = 0; step < 3000; step++) {
        ingest(bar(step));
        sent += bar(step).length;
      }
      assert.equal(store.pendingText(0), bar(2999).slice(1));
      ingest('\nafter\n');
      sent += '\nafter\n'.length;
      assert.equal(store.offset(0), sent);
      assert.deepEqual(
        lines.map((line) => [line.rank, line.text]),
        [
          ['', 'before'],
          ['default0', bar(2999).slice(1)],
          ['', 'after'],
        ],
      );
      assert.deepEqual(
        [0, 1, 2].map((i) => store.line(i).text),
        ['before', bar(2999).slice(1), 'after'],
      );
      // Every earlier redraw reaches the metrics once, though the line kept only its last one.
      const earlier = Array.from({ length: 2999 }, (_, step) => `default0 ${bar(step).slice(1)}`);
      assert.deepEqual(redrawn, earlier);
      store.close();
      redrawn.length = 0;
      const restored = new LogStore(dir, 1, onRedrawn);
      const again: StoredLine[] = [];
      restored.restore((line) => again.push(line));
      assert.deepEqual(
        again.map((line) => [line.rank, line.text]),
        lines.map((line) => [line.rank, line.text]),
      );
      assert.deepEqual(redrawn, earlier);
      restored.close();
    });
  });
});
