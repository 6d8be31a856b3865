import * as assert from 'assert';
import { workspaceDir } from '../../../src/jobs/remoteLayout';
import { workspaceId } from '../../../src/sync/workspaceId';

describe('workspaceId', () => {
  it('names a folder by its safe name and a hash of the machine and path', () => {
    const id = workspaceId('/home/me/My Project', 'laptop');
    assert.match(id, /^My-Project-[0-9a-f]{10}$/);
    assert.strictEqual(workspaceId('/home/me/My Project', 'laptop'), id);
    assert.notStrictEqual(workspaceId('/home/me/My Project', 'desktop'), id);
    assert.notStrictEqual(workspaceId('/srv/My Project', 'laptop'), id);
  });

  it('always names a folder the remote layout accepts', () => {
    for (const folder of ['/w/a..b', '/w/..hidden', '/w/...', '/w/-x', '/w/名前', '/w/.venv']) {
      const id = workspaceId(folder, 'laptop');
      assert.doesNotThrow(() => workspaceDir(id), id);
      assert.ok(!id.includes('..'), id);
    }
  });
});
