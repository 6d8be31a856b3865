import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { clickContextMenuItem, contextMenuItem, explorerItem } from '../harness/contextMenu';
import { exactText } from '../harness/exactText';
import { notificationMessages } from '../harness/notifications';
import { openViewContainer, treeItem, viewPane } from '../harness/views';
import { useSandboxWorkbench } from './sandboxWorkbench';
import { quickPickRow, waitForArgumentsPrompt } from './trainFlow';
import { waitForDescription } from './treeRows';
import { logPanel } from './logPanels';

/** The text of node 0's log of the newest job on a simulated VM. */
function newestNodeLog(home: string): string {
  const jobsDir = path.join(home, '.azure-pytorch', 'jobs');
  const newest = fs
    .readdirSync(jobsDir)
    .map((id) => path.join(jobsDir, id))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  return fs.readFileSync(path.join(newest, 'node-0.log'), 'utf8');
}

const dialog = (page: Page) => page.locator('.monaco-dialog-box');

/**
 * Explorer → right-click `script` → Train on Azure. Until the workbench has settled the folder's
 * trust the item shows disabled: the menu is closed and opened again until it is enabled.
 */
async function openTrainOnAzure(page: Page, script: string, timeoutMs = 60_000): Promise<void> {
  await page.keyboard.press('Control+Shift+E');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await explorerItem(page, script).click({ button: 'right' });
    const item = contextMenuItem(page, 'Train on Azure');
    const shown = await item.waitFor({ state: 'visible', timeout: 3_000 }).then(
      () => true,
      () => false,
    );
    // Disabled: the item or its list entry has the class, or the item says so.
    const disabled = page.locator('.monaco-menu .disabled', {
      has: page.locator('.action-label', { hasText: exactText('Train on Azure') }),
    });
    const enabled = shown && (await disabled.count()) === 0 && (await item.getAttribute('aria-disabled')) !== 'true';
    if (enabled) break;
    await page.keyboard.press('Escape');
    assert.ok(Date.now() < deadline, `Train on Azure stayed ${shown ? 'disabled' : 'missing'} in the menu for ${timeoutMs} ms`);
    await page.waitForTimeout(500);
  }
  await clickContextMenuItem(page, 'Train on Azure');
}

describe('Train on Azure with Enter at every prompt, against the sandbox cloud', () => {
  const session = useSandboxWorkbench('enter-through');
  const workbench = session.workbench;

  it('starts train.py on a running VM (not the deallocated H100 listed first), one process per GPU, with the loss charted', async function () {
    this.timeout(300_000);
    const { page, screenshot } = workbench();
    // Straight from the Explorer: the pick lists the VMs itself (the Clusters view was never opened).
    await openTrainOnAzure(page, 'train.py');
    // Both subscriptions listed: the deallocated H100 of the other one and the running A100s.
    await quickPickRow(page, 'gpu-h100').waitFor({ state: 'visible', timeout: 60_000 });
    await quickPickRow(page, 'gpu-a100-1').waitFor({ state: 'visible', timeout: 60_000 });
    const widget = page.locator('.quick-input-widget');
    assert.ok(
      (await widget.innerText()).includes('Deallocated — starting one bills it'),
      'the VMs that must be started are under a separator that says so',
    );
    const active = widget.locator('.quick-input-list .monaco-list-row.focused');
    const activeText = await active.innerText();
    assert.match(activeText, /gpu-a100-[12]/, `Enter takes a running VM: ${activeText}`);
    const vm = /gpu-a100-[12]/.exec(activeText)![0];
    await screenshot('e2e-enter-through-pick');
    await page.keyboard.press('Enter');

    await waitForArgumentsPrompt(page, 'train.py', 30_000);
    assert.match(await widget.innerText(), /2 processes per node, one per GPU: train\.py uses init_process_group/);
    await page.keyboard.press('Enter');

    const panel = await logPanel(page, 'train.py');
    // The loss chart, once it has drawn points.
    const chart = panel.locator('#charts .chart[data-metric="loss"]:not([data-drawn-points="0"])');
    await chart.waitFor({ state: 'visible', timeout: 180_000 });
    assert.match((await chart.locator('canvas').getAttribute('aria-label')) ?? '', /loss chart: [1-9]\d* points/);
    await screenshot('e2e-enter-through-logs');

    await openViewContainer(page, 'Azure PyTorch');
    const job = treeItem(viewPane(page, 'Jobs'), 'train.py').first();
    await waitForDescription(job, new RegExp(`^${vm} · (Running|Succeeded) · `), 120_000);
    const log = newestNodeLog(session.sandbox.hosts.host(vm).homeDir);
    assert.match(log, /\[azure-pytorch\] Processes: 2 processes per node, one per GPU: train\.py uses init_process_group/);
    assert.match(log, /--nproc_per_node=2/);
    // No VM was started (billed): the stand-in saw no power action.
    const starts = session.sandbox.arm.requestLog.filter((entry) => entry.method === 'POST' && /\/(start|restart)\b/i.test(entry.path));
    assert.deepStrictEqual(starts, []);
  });

  it("asks before a launch configuration sends the folder to a host that is not the user's, once per content", async function () {
    this.timeout(300_000);
    const { page, screenshot, folder } = workbench();
    const host = session.sandbox.hosts.host('gpu-a100-2');
    const destination = `${session.sandbox.summary.sshUser}@${host.address}${host.port === 22 ? '' : `:${host.port}`}`;
    const configFile = path.join(folder, '.vscode', 'azure-pytorch.json');
    const writeConfig = (setup: string[]): void => {
      fs.mkdirSync(path.dirname(configFile), { recursive: true });
      const configuration = { name: 'cloned', script: 'train.py', targets: [destination], args: ['--steps', '20'], setup };
      fs.writeFileSync(configFile, JSON.stringify({ configurations: [configuration] }));
    };
    const jobs = viewPane(page, 'Jobs');
    const rows = jobs.locator('.monaco-list-row');
    const tabs = page.locator('.tabs-container .tab');
    const launchWithEnter = async (): Promise<void> => {
      await openTrainOnAzure(page, 'train.py');
      // Enter once the configuration is the pick's active row, as a user sees it highlighted.
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', { hasText: 'cloned' })
        .waitFor({ state: 'visible', timeout: 30_000 });
      await page.keyboard.press('Enter');
    };
    /** Waits for the launch to open its job's log panel (a new tab), failing at once if a question shows instead. */
    const waitForLaunch = async (tabsBefore: number): Promise<void> => {
      for (let waited = 0; (await tabs.count()) <= tabsBefore; waited += 200) {
        assert.ok(!(await dialog(page).isVisible()), 'no question once the content is confirmed');
        assert.ok(waited < 120_000, `no job was launched; notifications: ${JSON.stringify(await notificationMessages(page))}`);
        await page.waitForTimeout(200);
      }
    };
    /** The number of jobs in the Jobs view, shown first. */
    const jobCount = async (): Promise<number> => {
      await openViewContainer(page, 'Azure PyTorch');
      return rows.count();
    };
    const escaped = destination.replace(/[.]/g, '\\.');

    writeConfig([]);
    const jobsBefore = await jobCount();
    let tabsBefore = await tabs.count();
    await launchWithEnter();
    await dialog(page).waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog(page).innerText();
    assert.match(text, new RegExp(`"cloned" sends this folder to ${escaped}`));
    assert.match(text, /not one of your Azure VMs or SSH hosts/);
    await screenshot('e2e-enter-through-confirm-host');
    await dialog(page).locator('.dialog-buttons .monaco-button', { hasText: 'Launch' }).first().click();
    await dialog(page).waitFor({ state: 'hidden', timeout: 10_000 });
    await waitForLaunch(tabsBefore);
    await openViewContainer(page, 'Azure PyTorch');
    await waitForDescription(treeItem(jobs, 'train.py').first(), new RegExp(`^${escaped} · Succeeded · `), 180_000);
    assert.strictEqual(await rows.count(), jobsBefore + 1);

    // Confirmed: the same configuration launches without a question.
    tabsBefore = await tabs.count();
    await launchWithEnter();
    await waitForLaunch(tabsBefore);
    await openViewContainer(page, 'Azure PyTorch');
    await waitForDescription(treeItem(jobs, 'train.py').first(), new RegExp(`^${escaped} · `), 30_000);
    assert.strictEqual(await rows.count(), jobsBefore + 2);

    // A changed file asks again, naming the setup command; declining starts nothing.
    writeConfig(['echo prepared']);
    tabsBefore = await tabs.count();
    // Counted on the VM, not in the view (whose rows the list renders only while they are in sight).
    const jobFolders = (): number => fs.readdirSync(path.join(host.homeDir, '.azure-pytorch', 'jobs')).length;
    const foldersBefore = jobFolders();
    await launchWithEnter();
    await dialog(page).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog(page).innerText(), /\$ echo prepared/);
    await screenshot('e2e-enter-through-confirm-setup');
    await dialog(page).locator('.dialog-buttons .monaco-button', { hasText: 'Cancel' }).first().click();
    await dialog(page).waitFor({ state: 'hidden', timeout: 10_000 });
    assert.strictEqual(await tabs.count(), tabsBefore, 'no log panel after declining');
    assert.strictEqual(jobFolders(), foldersBefore, 'no job after declining');
  });
});
