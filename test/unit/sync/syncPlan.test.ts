import * as assert from 'node:assert/strict';
import { planSync, pathsToCompare, isWithin, type PlanInput } from '../../../src/sync/syncPlan';
import type { LocalEntry, RemoteEntry } from '../../../src/sync/syncEntry';
import { paxRecord, tarHeader } from '../../../src/sync/tarHeader';

const file = (path: string, size = 1, mode = 0o644): LocalEntry => ({ path, type: 'file', size, mode, mtimeMs: 0, statKey: '' });
const dir = (path: string): LocalEntry => ({ path, type: 'dir', size: 0, mode: 0o755, mtimeMs: 0, statKey: '' });
const remote = (path: string, type: RemoteEntry['type'] = 'file', size = 1, mode = 0o644): RemoteEntry => ({
  path,
  type,
  size,
  mtime: '1',
  mode,
  linkTarget: '',
  ctime: '1',
  inode: '1',
  links: 1,
});

function plan(overrides: Partial<PlanInput>) {
  return planSync({
    local: [],
    remote: new Map(),
    localHashes: new Map(),
    remoteHashes: new Map(),
    previouslySynced: new Set(),
    isExcluded: () => false,
    ...overrides,
  });
}

describe('sync plan', function () {
  it('sends new and changed files in path order, keeps equal ones (same size, hash and executable bit)', function () {
    const result = plan({
      local: [file('same'), file('changed'), file('new'), file('chmod', 1, 0o755)],
      remote: new Map([
        ['same', remote('same')],
        ['changed', remote('changed')],
        ['chmod', remote('chmod')],
      ]),
      localHashes: new Map([
        ['same', 'h1'],
        ['changed', 'h2'],
        ['chmod', 'h3'],
      ]),
      remoteHashes: new Map([
        ['same', 'h1'],
        ['changed', 'old'],
        ['chmod', 'h3'],
      ]),
    });
    assert.deepEqual(
      result.upload.map((entry) => entry.path),
      ['changed', 'chmod', 'new'],
    );
    assert.equal(result.unchanged, 1);
  });

  it('compares content only where sizes match', function () {
    const local = [file('a', 5), file('b', 6), dir('c')];
    assert.deepEqual(
      pathsToCompare(
        local,
        new Map([
          ['a', remote('a', 'file', 5)],
          ['b', remote('b', 'file', 7)],
          ['c', remote('c', 'dir')],
        ]),
      ).map((e) => e.path),
      ['a'],
    );
  });

  it('deletes only what it synced before, deepest first, never excluded or unknown paths', function () {
    const result = plan({
      remote: new Map([
        ['gone', remote('gone')],
        ['d', remote('d', 'dir')],
        ['d/x', remote('d/x')],
        ['outputs/ckpt', remote('outputs/ckpt')],
        ['ignored-now', remote('ignored-now')],
      ]),
      previouslySynced: new Set(['gone', 'd', 'd/x', 'ignored-now', 'already-gone']),
      isExcluded: (path) => path === 'ignored-now',
    });
    assert.deepEqual(result.remove, [
      { path: 'd/x', kind: 'file' },
      { path: 'd', kind: 'dir' },
      { path: 'gone', kind: 'file' },
    ]);
  });

  it('removes a path whose type changed before sending it, and nothing below it separately', function () {
    const result = plan({
      local: [file('x')],
      remote: new Map([
        ['x', remote('x', 'dir')],
        ['x/old', remote('x/old')],
      ]),
      previouslySynced: new Set(['x', 'x/old']),
    });
    assert.deepEqual(result.remove, [{ path: 'x', kind: 'tree' }]);
    assert.deepEqual(
      result.upload.map((entry) => entry.path),
      ['x'],
    );
  });

  it('refuses unsafe paths', function () {
    assert.throws(() => plan({ local: [file('../escape')] }), /Unsafe path/);
    assert.equal(
      plan({ remote: new Map([['../x', remote('../x')]]), previouslySynced: new Set(['../x', '/etc/passwd']) }).remove.length,
      0,
    );
  });

  it('finds a path under an excluded folder', function () {
    assert.ok(isWithin('data/a/b.csv', new Set(['data'])));
    assert.ok(!isWithin('database.csv', new Set(['data'])));
  });

  it('writes pax records whose length counts itself, and pax headers for non-ASCII or long names', function () {
    for (const value of ['a', 'x'.repeat(88), 'x'.repeat(89), 'x'.repeat(990), 'ünï\ncode']) {
      const record = paxRecord('path', value);
      assert.equal(Number(record.split(' ')[0]), Buffer.byteLength(record));
    }
    assert.equal(tarHeader({ path: 'plain.txt', type: 'file', size: 3, mode: 0o644, mtimeSeconds: 0 }).length, 512);
    assert.equal(tarHeader({ path: 'ünï.txt', type: 'file', size: 3, mode: 0o644, mtimeSeconds: 0 }).length, 1536);
  });
});
