import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineView } from '../../../src/logs/lineView';
import { LogStore } from '../../../src/logs/logStore';

describe('LineView search over a long log', function () {
  this.timeout(60_000);
  const lineCount = 300_000;
  let dir: string;
  let store: LogStore;
  let view: LineView;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'line-search-'));
    store = new LogStore(dir, 1);
    view = new LineView(store);
    const text = Array.from(
      { length: lineCount },
      (_, i) => `[default${i % 2}]:step=${i} loss=${(1 / (i + 1)).toFixed(6)} shard-${i}`,
    ).join('\n');
    store.ingest(0, Buffer.from(`${text}\n`), (line) => view.added(line.index));
  });

  after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('yields to the event loop while it reads: a timer set before a search with no match fires before it ends', async () => {
    const events: string[] = [];
    setTimeout(() => events.push('timer'), 0);
    const position = await view.search('no such text', 0, 'next');
    events.push(`search ${position}`);
    assert.deepEqual(events, ['timer', 'search -1']);
  });

  it('a newer search stops the older: the older ends without a result, the newer finds its line', async () => {
    const older = new AbortController();
    const first = view.search('no such text', 0, 'next', older.signal);
    // The older search is under way (it yielded); the user types on.
    await new Promise((resolve) => setImmediate(resolve));
    older.abort();
    const second = view.search(`shard-${lineCount - 5}`, 0, 'next');
    assert.deepEqual(await Promise.all([first, second]), [undefined, lineCount - 5]);
  });

  it('a new filter stops a search whose positions it changes', async () => {
    const running = view.search('no such text', 0, 'next');
    await new Promise((resolve) => setImmediate(resolve));
    view.setFilter({ ranks: [{ node: 0, rank: 'default1' }] });
    assert.equal(await running, undefined);
    view.setFilter({});
  });
});
