import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseRemoteSections } from '../../../src/sync/remoteListing';
import { FOLDER_MISSING, listChangedSince } from '../../../src/sync/remoteScripts';
import { writeFile } from './hostileTree';

/** Runs a remote script here, as the SSH layer would run its argv on the host. */
function runHere(argv: string[], cwd: string): { code: number; stdout: Buffer } {
  const result = spawnSync(argv[0], argv.slice(1), { cwd });
  if (result.error) {
    throw result.error;
  }
  return { code: result.status ?? -1, stdout: result.stdout };
}

describe('remote script: changes since a checkpoint', function () {
  let home: string;
  let since: string;

  before(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'changed-since-'));
    writeFile(home, 'ws/owned/a.py', 'a');
    writeFile(home, 'ws/owned/sub/b.py', 'b');
    writeFile(home, 'ws/top.py', 'top');
    writeFile(home, 'ws/-rf', 'a name that looks like an option');
    writeFile(home, 'ws/outputs/old.pt', 'old');
    const past = new Date(Date.now() - 10_000);
    execFileSync('sh', ['-c', 'find ws -exec touch -h -d "@$1" {} +', 'sh', String(past.getTime() / 1000)], { cwd: home });
    // ctime cannot be set back: the checkpoint is taken now, and what follows is newer.
    execFileSync('sleep', ['0.05']);
    since = execFileSync('date', ['+%s.%N']).toString().trim();
    execFileSync('sleep', ['0.05']);
    fs.writeFileSync(path.join(home, 'ws/owned/sub/b.py'), 'edited');
    fs.rmSync(path.join(home, 'ws/top.py'));
    writeFile(home, 'ws/outputs/new.pt', 'a job wrote this');
  });

  after(function () {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists what changed, stamped with the clock, and the entries of each changed folder', function () {
    const { code, stdout } = runHere(listChangedSince('ws', since), home);
    assert.equal(code, 0);
    const [changed, folderEntries] = parseRemoteSections(stdout);
    assert.ok(Number(changed.stamp) > Number(since));
    assert.deepEqual([...changed.entries.keys()].sort(), ['.', 'outputs', 'outputs/new.pt', 'owned/sub/b.py']);
    assert.deepEqual([...folderEntries.entries.keys()].sort(), ['-rf', 'outputs', 'outputs/new.pt', 'outputs/old.pt', 'owned']);
    assert.equal(changed.entries.get('owned/sub/b.py')!.size, 6);
  });

  it('walks only the given top-level names below the folder', function () {
    const { code, stdout } = runHere(listChangedSince('ws', since, ['owned', '-rf']), home);
    assert.equal(code, 0);
    const [changed, folderEntries] = parseRemoteSections(stdout);
    assert.deepEqual([...changed.entries.keys()].sort(), ['.', 'owned/sub/b.py']);
    assert.ok(folderEntries.entries.has('outputs'), 'the folder itself changed, so its entries are listed');
    assert.ok(!folderEntries.entries.has('outputs/new.pt'));
  });

  it('says when the folder is gone', function () {
    assert.equal(runHere(listChangedSince('no-such-folder', since), home).code, FOLDER_MISSING);
  });
});
