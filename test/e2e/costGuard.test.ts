import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { formatHourly } from '../../src/features/costGuard/costPresentation';
import { parseWatchdogLog } from '../../src/costGuard/watchdogLog';
import { watchdogDir } from '../../src/jobs/remoteLayout';
import { rightClick } from '../harness/contextMenu';
import { exactText } from '../harness/exactText';
import { openViewContainer, treeItem, viewPane } from '../harness/views';
import { LINUX_HOURLY_EASTUS } from '../sandbox/arm';
import { useSandboxWorkbench } from './sandboxWorkbench';
import { waitForDescription } from './treeRows';

const VM = 'gpu-a100-1';
const widget = (page: Page): Locator => page.locator('.quick-input-widget');

async function pick(page: Page, label: string): Promise<void> {
  const row = widget(page)
    .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactText(label) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
}

/** Resolves once `condition` holds, checking every half second; rejects with `what` after `timeoutMs`. */
async function eventually(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('Cost guard in the browser, against the sandbox cloud', () => {
  const session = useSandboxWorkbench('cost-guard', {
    // Seconds, not minutes, for the test: the user-facing minimum is 5 minutes.
    prepare: (_sandbox, profile) => void (profile.settings['azurePytorch.costGuard.minimumIdleMinutes'] = 0.05),
  });

  it('shows what the running VMs cost; the VM, given an identity and a role, deallocates itself when idle', async function () {
    this.timeout(300_000);
    const { page, screenshot } = session.workbench();
    const { sandbox } = session;
    await openViewContainer(page, 'Azure PyTorch');
    const clusters = viewPane(page, 'Clusters');
    const vm = treeItem(clusters, VM);
    await vm.waitFor({ state: 'visible', timeout: 60_000 });

    // Its price per hour beside it, from the Retail Prices API (on-demand: the VM is not spot).
    const size = sandbox.arm.state.vmNamed(VM).size.name;
    const price = formatHourly(LINUX_HOURLY_EASTUS[size]).replace(/[$.]/g, '\\$&');
    await waitForDescription(vm, new RegExp(`running · ${price}`), 60_000);
    const statusBar = page.locator('.statusbar-item', { hasText: /\$ \d+\.\d\d\/h\+? · \d+ GPU VMs?/ });
    await statusBar.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot('e2e-cost-guard-prices');

    // Auto-deallocate after 6 s idle; the VM has no identity yet: Enable gives it one and a role on itself.
    assert.strictEqual(sandbox.arm.identities.principalOf(VM), undefined);
    await rightClick(page, vm, 'Auto-Deallocate When Idle…');
    await pick(page, 'After a custom idle time…');
    await widget(page).filter({ hasText: 'idle minutes' }).waitFor({ state: 'visible', timeout: 30_000 });
    await widget(page).locator('input.input').fill('0.1');
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await dialog.innerText(), /cannot deallocate itself: it has no managed identity[\s\S]*Virtual Machine Contributor/);
    await screenshot('e2e-cost-guard-enable');
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: 'Enable' }).first().click();
    await waitForDescription(vm, /auto-deallocate after 6 s idle$/, 120_000);
    const vmId = sandbox.arm.state.vmNamed(VM).id;
    assert.deepStrictEqual(
      sandbox.arm.identities.assignmentsAt(vmId).map((each) => [each.scope, each.roleDefinitionName]),
      [[vmId, 'Virtual Machine Contributor']],
    );

    // The tab closes; nothing runs on the VM: its own watchdog deallocates it through Resource
    // Manager with its identity, with no VS Code window open.
    const workbenchUrl = page.url();
    await page.goto('about:blank');
    await eventually(() => sandbox.arm.state.vmNamed(VM).powerState === 'deallocated', `${VM} to be deallocated`, 180_000);
    const log = path.join(sandbox.hosts.host(VM).homeDir, watchdogDir(), 'decisions.log');
    const decisions = parseWatchdogLog(fs.readFileSync(log, 'utf8')).map((decision) => decision.kind);
    assert.ok(decisions.includes('requested'), `the watchdog asked for the deallocation: ${decisions.join(', ')}`);
    // Reopened, the tree shows it deallocated.
    await page.goto(workbenchUrl);
    await openViewContainer(page, 'Azure PyTorch', 60_000);
    await waitForDescription(treeItem(viewPane(page, 'Clusters'), VM), /· deallocated$/, 60_000);
    await screenshot('e2e-cost-guard-deallocated');
  });
});
