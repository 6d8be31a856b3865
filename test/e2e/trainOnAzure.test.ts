import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { rightClick } from '../harness/contextMenu';
import { hideNotificationCenter, notificationMessages, waitForNotification } from '../harness/notifications';
import { openViewContainer, treeItem, viewPane } from '../harness/views';
import { useSandboxWorkbench } from './sandboxWorkbench';
import {
  newestJobRow,
  openTrainOnAzure,
  pickQuickItem,
  quickPickRow,
  submitArguments,
  trainFromExplorer,
  waitForArgumentsPrompt,
} from './trainFlow';
import { waitForDescription } from './treeRows';

/** PIDs on this machine of processes started for a job of the extension (they carry its job id). */
function jobProcesses(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return fs
          .readFileSync(`/proc/${entry}/environ`, 'latin1')
          .split('\0')
          .some((v) => v.startsWith('AZURE_PYTORCH_JOB_ID=train-'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('Train on Azure in the browser, against the sandbox cloud', () => {
  const session = useSandboxWorkbench('train');
  const workbench = session.workbench;

  it('right-click train.py → Train on Azure → pick a VM: the Jobs view shows it running, then succeeded', async function () {
    this.timeout(240_000);
    const { page, screenshot } = workbench();
    await openViewContainer(page, 'Azure PyTorch');
    const clusters = viewPane(page, 'Clusters');
    await treeItem(clusters, 'gpu-a100-1').waitFor({ state: 'visible', timeout: 60_000 });

    // Enough steps that the job is seen running for a while.
    const row = await trainFromExplorer(page, 'gpu-a100-1', '--steps 4000');
    await screenshot('e2e-train-launching');
    await row.waitFor({ state: 'visible', timeout: 120_000 });
    const seen: string[] = [];
    await waitForDescription(row, /^gpu-a100-1 · Running · /, 120_000, seen);
    await screenshot('e2e-train-running');
    await waitForDescription(row, /^gpu-a100-1 · Succeeded · /, 180_000, seen);
    await screenshot('e2e-train-succeeded');
    await waitForNotification(page, /train\.py on gpu-a100-1 succeeded in \d+s/, 30_000);
    await hideNotificationCenter(page);
    assert.ok(seen.some((d) => d.includes('Running')) && /Succeeded/.test(seen[seen.length - 1]), JSON.stringify(seen));

    // The job really ran there: rank 0 saved the model in the job's own copy of the workspace.
    const home = session.sandbox.hosts.host('gpu-a100-1').homeDir;
    const jobs = path.join(home, '.azure-pytorch', 'jobs');
    const saved = fs.readdirSync(jobs).some((id) => fs.existsSync(path.join(jobs, id, 'workspace', 'outputs', 'model.pt')));
    assert.ok(saved, "outputs/model.pt is in the job's folder on the VM");
  });

  it('runs a finished job again from the Jobs view, as a new job', async function () {
    this.timeout(240_000);
    const { page } = workbench();
    const jobs = viewPane(page, 'Jobs');
    const rows = jobs.locator('.monaco-list-row');
    const before = await rows.count();
    await rightClick(page, treeItem(jobs, 'train.py').first(), 'Run Again');
    for (let waited = 0; (await rows.count()) <= before; waited += 200) {
      assert.ok(waited < 60_000, 'no new job appeared');
      await page.waitForTimeout(200);
    }
    const newest = treeItem(jobs, 'train.py').first();
    await waitForDescription(newest, /^gpu-a100-1 · Succeeded · /, 180_000);
    assert.strictEqual(await rows.count(), before + 1, 'one new job in the list');
  });

  it('trains on two VMs as one multi-node job, chosen in the pick', async function () {
    this.timeout(300_000);
    const { page, screenshot } = workbench();
    await openTrainOnAzure(page, 'train.py');
    await pickQuickItem(page, 'Several machines (multi-node)');
    for (const vm of ['gpu-a100-1', 'gpu-a100-2']) {
      const row = quickPickRow(page, vm);
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    }
    await screenshot('e2e-train-multinode-pick');
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
    await waitForArgumentsPrompt(page, 'train.py', 10_000);
    await submitArguments(page, '--steps 300');
    const row = await newestJobRow(page, 'train.py');
    await waitForDescription(row, /^gpu-a100-1 \+1 · Succeeded · /, 240_000).catch(async (error: Error) => {
      throw new Error(`${error.message}\nnotifications: ${JSON.stringify(await notificationMessages(page))}`);
    });
    await screenshot('e2e-train-multinode-succeeded');
    // Both nodes ran their rank, on their own host.
    const logs = ['gpu-a100-1', 'gpu-a100-2'].map((vm, rank) => {
      const jobsDir = path.join(session.sandbox.hosts.host(vm).homeDir, '.azure-pytorch', 'jobs');
      const newest = fs
        .readdirSync(jobsDir)
        .map((id) => path.join(jobsDir, id))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
      return fs.readFileSync(path.join(newest, `node-${rank}.log`), 'utf8');
    });
    assert.match(logs[0], /rank 0\/4 on cpu, host gpu-a100-1/);
    assert.match(logs[1], /rank [23]\/4 on cpu, host gpu-a100-2/);
  });

  it('re-attaches to a running job after the window reloads, and shows how it ended', async function () {
    this.timeout(300_000);
    const { page, screenshot } = workbench();
    const row = await trainFromExplorer(page, 'gpu-a100-1', '--steps 12000');
    await row.waitFor({ state: 'visible', timeout: 120_000 });
    await waitForDescription(row, /^gpu-a100-1 · Running · /, 120_000);
    await page.reload();
    await openViewContainer(page, 'Azure PyTorch', 60_000);
    const again = treeItem(viewPane(page, 'Jobs'), 'train.py').first();
    await again.waitFor({ state: 'visible', timeout: 60_000 });
    const seen: string[] = [];
    await waitForDescription(again, /^gpu-a100-1 · Succeeded · /, 240_000, seen);
    await screenshot('e2e-train-reattached');
    assert.ok(
      seen.some((d) => d.includes('Running')),
      `the reloaded window saw the job running first: ${JSON.stringify(seen)}`,
    );
  });

  it('cancels a running job from the Jobs view, leaving no process of it', async function () {
    this.timeout(240_000);
    const { page, screenshot } = workbench();
    const row = await trainFromExplorer(page, 'gpu-a100-1', '--steps 100000000');
    await row.waitFor({ state: 'visible', timeout: 120_000 });
    await waitForDescription(row, /^gpu-a100-1 · Running · /, 120_000);
    // "Running" means torchrun started; its two workers follow.
    for (let waited = 0; jobProcesses().length < 3; waited += 200) {
      assert.ok(waited < 60_000, `torchrun and its workers never all ran: ${jobProcesses().length} processes`);
      await page.waitForTimeout(200);
    }
    await rightClick(page, row, 'Cancel Job');
    await waitForDescription(row, /^gpu-a100-1 · Cancelled · /, 60_000);
    await screenshot('e2e-train-cancelled');
    assert.deepStrictEqual(jobProcesses(), []);
  });
});
