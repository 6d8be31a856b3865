import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot } from '../harness/paths';
import { openWorkbenchSession, WorkbenchSession, WorkbenchSessionOptions } from '../harness/workbenchSession';

/**
 * Mocha glue for a `describe` block: opens one workbench before its tests (on a fresh copy of
 * test/fixtures/workspace unless `folder` is given), saves a screenshot of each failed test into
 * test-results/, and closes everything afterwards. Returns a getter for the session.
 */
export function useWorkbench(name: string, options: WorkbenchSessionOptions): () => WorkbenchSession {
  let session: WorkbenchSession | undefined;
  let scratch: string | undefined;

  before(async function () {
    this.timeout(120_000);
    let folder = options.folder;
    if (!folder) {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-pytorch-e2e-workspace-'));
      folder = path.join(scratch, 'workspace');
      fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), folder, { recursive: true });
    }
    session = await openWorkbenchSession({ ...options, folder });
  });

  afterEach(async function () {
    if (session && this.currentTest?.state === 'failed') {
      const file = await session.screenshot(`e2e-${name}-FAILED-${this.currentTest.title}`);
      console.log(`      screenshot: ${file}`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await session?.close();
    if (scratch) {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  return () => {
    if (!session) {
      throw new Error('the workbench did not open (see the before hook)');
    }
    return session;
  };
}
