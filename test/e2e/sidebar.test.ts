import * as assert from 'assert';
import { repoRoot } from '../harness/paths';
import { activityBarItem, openViewContainer, viewPane } from '../harness/views';
import { useWorkbench } from './useWorkbench';

describe('Azure PyTorch sidebar (extension from the development folder)', () => {
  const workbench = useWorkbench('dev', { extension: { kind: 'development', path: repoRoot } });

  it('has an "Azure PyTorch" entry in the activity bar', async () => {
    const { page } = workbench();
    await activityBarItem(page, 'Azure PyTorch').waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('shows the Clusters and Jobs views when the entry is clicked', async () => {
    const { page, screenshot } = workbench();
    await openViewContainer(page, 'Azure PyTorch');
    for (const name of ['Clusters', 'Jobs']) {
      await viewPane(page, name).waitFor({ state: 'visible', timeout: 15_000 });
    }
    assert.strictEqual(await viewPane(page, 'Clusters').count(), 1);
    assert.strictEqual(await viewPane(page, 'Jobs').count(), 1);
    await screenshot('e2e-dev-sidebar');
  });
});
