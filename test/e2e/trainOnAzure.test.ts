import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { loadCloudSpec } from '../sandbox/arm';
import { writeClientProfile, type ClientProfile } from '../sandbox/clientProfile';
import { randomLoopbackPrefix } from '../sandbox/hosts/loopback';
import { startSandbox, type Sandbox } from '../sandbox/sandbox';
import { rightClick, rightClickExplorerItem } from '../harness/contextMenu';
import { hideNotificationCenter, notificationMessages, waitForNotification } from '../harness/notifications';
import { repoRoot } from '../harness/paths';
import { openViewContainer, treeItem, viewPane } from '../harness/views';
import { useWorkbench } from './useWorkbench';

async function descriptionOf(row: Locator): Promise<string> {
  return (await row.locator('.label-description').first().innerText()).trim();
}

/** Polls the row's description; returns every distinct description seen, the last one matching `pattern`. */
async function waitForDescription(row: Locator, pattern: RegExp, timeoutMs: number, seen: string[] = []): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await descriptionOf(row).catch(() => '');
    if (now && seen[seen.length - 1] !== now) seen.push(now);
    if (pattern.test(now)) return seen;
    await row.page().waitForTimeout(150);
  }
  throw new Error(`the row's description did not match ${pattern} within ${timeoutMs} ms; seen: ${JSON.stringify(seen)}`);
}

/** Right-click train.py → Train on Azure → the VM → the arguments; returns the new job's row (the newest, on top). */
async function trainFromExplorer(page: Page, vm: string, args: string): Promise<Locator> {
  await page.keyboard.press('Control+Shift+E');
  await rightClickExplorerItem(page, 'train.py', 'Train on Azure');
  await pickQuickItem(page, vm);
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'arguments for train.py' }).waitFor({ state: 'visible', timeout: 30_000 });
  const argumentsBox = page.locator('.quick-input-widget input.input');
  await argumentsBox.waitFor({ state: 'visible', timeout: 10_000 });
  await argumentsBox.fill(args);
  await page.keyboard.press('Enter');
  await openViewContainer(page, 'Azure PyTorch');
  return treeItem(viewPane(page, 'Jobs'), 'train.py').first();
}

/** PIDs on this machine of processes started for a job of the extension (they carry its job id). */
function jobProcesses(): number[] {
  return fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).filter((entry) => {
    try {
      return fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').some((v) => v.startsWith('AZURE_PYTORCH_JOB_ID=train-'));
    } catch {
      return false;
    }
  }).map(Number);
}

/** Picks the quick pick entry whose label contains `text`. */
async function pickQuickItem(page: Page, text: string): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: text }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
}

describe('Train on Azure in the browser, against the sandbox cloud', () => {
  let stateDir: string;
  let sandbox: Sandbox;
  let profile: ClientProfile;

  before(async function () {
    this.timeout(120_000);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-pytorch-e2e-train-'));
    // The sandbox's VMs on a loopback prefix of their own: other test runs may hold 127.0.0.x:22.
    const cloud = loadCloudSpec();
    const prefix = randomLoopbackPrefix();
    let next = 2;
    for (const subscription of cloud.subscriptions) {
      for (const group of subscription.resourceGroups) {
        for (const vm of group.vms) if (vm.publicIpAddress) vm.publicIpAddress = `${prefix}${next++}`;
      }
    }
    sandbox = await startSandbox({ stateDir: path.join(stateDir, 'sandbox'), cloud, operationMs: 1000 });
    profile = writeClientProfile(sandbox.summary, path.join(stateDir, 'home'));
  });

  const workbench = useWorkbench('train', {
    extension: { kind: 'development', path: repoRoot },
    get env() {
      return profile.env;
    },
    get settings() {
      return profile.settings;
    },
  });

  after(async function () {
    this.timeout(60_000);
    await sandbox?.dispose();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

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
    const seen = await waitForDescription(row, /^gpu-a100-1 · Running · /, 120_000);
    await screenshot('e2e-train-running');
    await waitForDescription(row, /^gpu-a100-1 · Succeeded · /, 180_000, seen);
    await screenshot('e2e-train-succeeded');
    await waitForNotification(page, /train\.py on gpu-a100-1 succeeded in \d+s/, 30_000);
    await hideNotificationCenter(page);
    assert.ok(seen.some((d) => d.includes('Running')) && /Succeeded/.test(seen[seen.length - 1]), JSON.stringify(seen));

    // The job really ran there: rank 0 saved the model in the VM's synced workspace.
    const home = sandbox.hosts.host('gpu-a100-1').homeDir;
    const saved = fs.readdirSync(path.join(home, '.azure-pytorch', 'ws')).some((ws) => fs.existsSync(path.join(home, '.azure-pytorch', 'ws', ws, 'outputs', 'model.pt')));
    assert.ok(saved, 'outputs/model.pt is on the VM');
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
    await page.keyboard.press('Control+Shift+E');
    await rightClickExplorerItem(page, 'train.py', 'Train on Azure');
    await pickQuickItem(page, 'Several machines (multi-node)');
    for (const vm of ['gpu-a100-1', 'gpu-a100-2']) {
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: vm }) }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox').first().click();
    }
    await screenshot('e2e-train-multinode-pick');
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).first().click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'arguments for train.py' }).waitFor({ state: 'visible', timeout: 10_000 });
    const argumentsBox = page.locator('.quick-input-widget input.input');
    await argumentsBox.waitFor({ state: 'visible', timeout: 10_000 });
    await argumentsBox.fill('--steps 300');
    await page.keyboard.press('Enter');
    await openViewContainer(page, 'Azure PyTorch');
    const row = treeItem(viewPane(page, 'Jobs'), 'train.py').first();
    await waitForDescription(row, /^gpu-a100-1 \+1 · Succeeded · /, 240_000).catch(async (error: Error) => {
      throw new Error(`${error.message}\nnotifications: ${JSON.stringify(await notificationMessages(page))}`);
    });
    await screenshot('e2e-train-multinode-succeeded');
    // Both nodes ran their rank, on their own host.
    const logs = ['gpu-a100-1', 'gpu-a100-2'].map((vm, rank) => {
      const jobsDir = path.join(sandbox.hosts.host(vm).homeDir, '.azure-pytorch', 'jobs');
      const newest = fs.readdirSync(jobsDir).map((id) => path.join(jobsDir, id)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
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
    const seen = await waitForDescription(again, /^gpu-a100-1 · Succeeded · /, 240_000);
    await screenshot('e2e-train-reattached');
    assert.ok(seen.some((d) => d.includes('Running')), `the reloaded window saw the job running first: ${JSON.stringify(seen)}`);
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
