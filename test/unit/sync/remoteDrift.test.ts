import * as assert from 'node:assert/strict';
import { findRemoteDrift } from '../../../src/sync/remoteDrift';
import type { RemoteEntry } from '../../../src/sync/syncEntry';
import type { RemoteRecord } from '../../../src/sync/syncState';
import { compareStamps, earlier } from '../../../src/sync/remoteClock';

const record = (type: RemoteRecord['type'], ctime = '100.0'): RemoteRecord => ({
  type,
  size: 1,
  mtime: '1.0',
  mode: 0o644,
  ctime,
  inode: '42',
  links: 1,
});
const entry = (path: string, type: RemoteEntry['type'], ctime = '100.0', changes: Partial<RemoteEntry> = {}): [string, RemoteEntry] => [
  path,
  { path, type, size: 1, mtime: '1.0', mode: 0o644, linkTarget: '', ctime, inode: '42', links: 1, ...changes },
];

describe('remote drift since the last sync', function () {
  const records = new Map<string, RemoteRecord>([
    ['train.py', record('file')],
    ['pkg', record('dir')],
    ['pkg/model.py', record('file')],
    ['pkg/data.py', record('file')],
  ]);

  it('finds none when nothing changed, or only our own last writes (same ctime) show', function () {
    assert.equal(findRemoteDrift(records, new Map(), new Map()), undefined);
    assert.equal(findRemoteDrift(records, new Map([entry('train.py', 'file', '100.0')]), new Map()), undefined);
  });

  it("ignores paths the sync never sent: a job's outputs and __pycache__ in a synced folder", function () {
    const changed = new Map([
      entry('pkg', 'dir', '200.0'),
      entry('pkg/__pycache__', 'dir', '200.0'),
      entry('pkg/__pycache__/model.pyc', 'file', '200.0'),
      entry('.', 'dir', '200.0'),
      entry('outputs', 'dir', '200.0'),
    ]);
    const folderEntries = new Map([
      entry('pkg/model.py', 'file'),
      entry('pkg/data.py', 'file'),
      entry('pkg/__pycache__', 'dir', '200.0'),
      entry('train.py', 'file'),
      entry('pkg', 'dir', '200.0'),
      entry('outputs', 'dir', '200.0'),
    ]);
    assert.equal(findRemoteDrift(records, changed, folderEntries), undefined);
  });

  it('finds a synced file changed there (its ctime moved), even with the same size and mtime', function () {
    assert.match(findRemoteDrift(records, new Map([entry('pkg/model.py', 'file', '300.0')]), new Map()) ?? '', /pkg\/model.py changed/);
  });

  it("takes a link count change alone (a job's snapshot linked the file) for no change, and anything more for one", function () {
    const linked = (changes: Partial<RemoteEntry>): string | undefined =>
      findRemoteDrift(records, new Map([entry('pkg/model.py', 'file', '300.0', { links: 2, ...changes })]), new Map());
    assert.equal(linked({}), undefined);
    assert.match(linked({ inode: '43' }) ?? '', /pkg\/model.py changed/, 'replaced by another file');
    assert.match(linked({ mtime: '2.0' }) ?? '', /pkg\/model.py changed/, 'written in place');
    assert.match(linked({ size: 2 }) ?? '', /pkg\/model.py changed/);
    assert.match(linked({ mode: 0o755 }) ?? '', /pkg\/model.py changed/);
    assert.match(linked({ links: 1 }) ?? '', /pkg\/model.py changed/, 'the same link count: something else changed the inode');
  });

  it("finds a synced file removed there, from its folder's listing", function () {
    const changed = new Map([entry('pkg', 'dir', '300.0')]);
    assert.match(findRemoteDrift(records, changed, new Map([entry('pkg/model.py', 'file')])) ?? '', /pkg\/data.py was removed/);
    assert.match(
      findRemoteDrift(records, new Map([entry('.', 'dir', '300.0')]), new Map([entry('pkg', 'dir')])) ?? '',
      /train.py was removed/,
    );
  });

  it('finds a type change, and a record without a ctime counts as changed', function () {
    assert.match(findRemoteDrift(records, new Map([entry('train.py', 'dir', '300.0')]), new Map()) ?? '', /now a dir/);
    const old = new Map<string, RemoteRecord>([['a', { type: 'file', size: 1, mtime: '1', mode: 0o644 }]]);
    assert.ok(findRemoteDrift(old, new Map([entry('a', 'file')]), new Map()));
  });
});

describe('remote clock stamps', function () {
  it('moves a stamp earlier by milliseconds, across a second boundary, keeping nanoseconds', function () {
    assert.equal(earlier('1795651396.040062001', 50), '1795651395.990062001');
    assert.equal(earlier('1795651396.5', 50), '1795651396.450000000');
    assert.equal(earlier('1795651396', 0), '1795651396.000000000');
  });

  it('orders stamps by their value, not as text', function () {
    assert.equal(compareStamps('999.9', '1000.1'), -1);
    assert.equal(compareStamps('1000.10', '1000.1'), 0);
    assert.equal(compareStamps('1000.2', '1000.19'), 1);
  });
});
