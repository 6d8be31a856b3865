import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileKeyValueStorage } from '../../../src/jobs/fileKeyValueStorage';

describe('file-backed job storage', function () {
  let folder: string;

  beforeEach(function () {
    folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kv-')), 'global-storage');
  });

  afterEach(function () {
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
  });

  it('is on disk as soon as update is called, before anything is awaited (a reload may follow at once)', function () {
    const storage = new FileKeyValueStorage(folder);
    void storage.update('azurePytorch.jobs.v1', [{ id: 'a' }]);
    assert.deepEqual(new FileKeyValueStorage(folder).get('azurePytorch.jobs.v1'), [{ id: 'a' }]);
  });

  it('sees what another window wrote, each time it changes', async function () {
    const mine = new FileKeyValueStorage(folder);
    const other = new FileKeyValueStorage(folder);
    await mine.update('jobs', [1]);
    assert.deepEqual(other.get('jobs'), [1]);
    for (let i = 2; i < 6; i++) {
      await mine.update('jobs', [i]);
      assert.deepEqual(other.get('jobs'), [i]);
    }
  });

  it('reads the old store (globalState) until the key is first written, then only its file', async function () {
    const previous = new Map<string, unknown>([['jobs', ['from globalState']]]);
    const storage = new FileKeyValueStorage(folder, { get: (key: string) => previous.get(key) });
    assert.deepEqual(storage.get('jobs'), ['from globalState']);
    await storage.update('jobs', ['from the file']);
    assert.deepEqual(storage.get('jobs'), ['from the file']);
    assert.equal(storage.get('other'), undefined);
  });

  it('answers undefined for a damaged file instead of throwing', function () {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'jobs.json'), '{ not json');
    assert.equal(new FileKeyValueStorage(folder).get('jobs'), undefined);
  });
});
