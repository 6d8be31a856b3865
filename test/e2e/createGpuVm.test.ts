import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { rightClick } from '../harness/contextMenu';
import { exactText } from '../harness/exactText';
import { notificationMessages } from '../harness/notifications';
import { findPaletteEntry } from '../harness/palette';
import { openViewContainer, treeItem, viewPane } from '../harness/views';
import { useSandboxWorkbench } from './sandboxWorkbench';
import { trainFromExplorer } from './trainFlow';
import { waitForDescription } from './treeRows';

const widget = (page: Page): Locator => page.locator('.quick-input-widget');

/** The row of the open quick pick whose label is exactly `label`. */
function exactRow(page: Page, label: string): Locator {
  return widget(page)
    .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exactText(label) }) })
    .first();
}

async function pick(page: Page, label: string, timeoutMs = 60_000): Promise<void> {
  const row = exactRow(page, label);
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** Waits for the input box whose prompt contains `prompt`, then types `value` (or keeps its value) and submits. */
async function answerInput(page: Page, prompt: string, value?: string): Promise<void> {
  await widget(page).filter({ hasText: prompt }).waitFor({ state: 'visible', timeout: 30_000 });
  if (value !== undefined) await widget(page).locator('input.input').fill(value);
  await page.keyboard.press('Enter');
}

describe('Create GPU VM in the browser, against the sandbox cloud', () => {
  const session = useSandboxWorkbench('create-vm');
  const name = 'e2e-t4';

  it('creates a T4 VM through the pick with its price and quota, lists it, and trains on it with no host-key prompt', async function () {
    this.timeout(480_000);
    const { page, screenshot } = session.workbench();
    await openViewContainer(page, 'Azure PyTorch');
    const clusters = viewPane(page, 'Clusters');
    await treeItem(clusters, 'gpu-a100-1').waitFor({ state: 'visible', timeout: 60_000 });

    await (await findPaletteEntry(page, 'Azure PyTorch: Create GPU VM…')).click();
    await pick(page, 'ML Research (GPU)');
    await pick(page, 'eastus');
    // The size row: GPUs, vCPUs and memory from the SKU, the family's quota, and the price once it came.
    const size = exactRow(page, 'Standard_NC4as_T4_v3');
    await size.waitFor({ state: 'visible', timeout: 60_000 });
    await widget(page)
      .locator('.monaco-list-row', { hasText: /Standard_NC4as_T4_v3[\s\S]*\$\d+\.\d+\/h/ })
      .waitFor({ state: 'visible', timeout: 30_000 });
    const row = await size.innerText();
    assert.match(row, /1× T4 16GB · 4 vCPU · 28 GB/);
    assert.match(row, /quota \d+\/\d+ vCPU/);
    await screenshot('e2e-create-vm-sizes');
    await size.click();
    await pick(page, 'Any zone');
    await pick(page, 'On-demand');
    await answerInput(page, 'VM name', name);
    await pick(page, `New: ${name}-rg`);
    await pick(page, 'Ubuntu HPC 22.04');
    await pick(page, '~/.ssh/id_ed25519.pub');
    await answerInput(page, 'Allow SSH (port 22) from');

    // Listed while Azure creates it, then running with its GPU.
    const vm = treeItem(clusters, name);
    await vm.waitFor({ state: 'visible', timeout: 120_000 });
    // Running, with its price per hour (the stand-in's $0.526).
    await waitForDescription(vm, /^1× T4 16GB · eastus · running · \$ 0\.53\/h$/, 240_000);
    await screenshot('e2e-create-vm-listed');
    const created = session.sandbox.arm.state.vmNamed(name);
    assert.strictEqual(created.powerState, 'running');

    // Its host key was recorded before it booted: the launch connects with no question at all.
    const job = await trainFromExplorer(page, name, '--steps 5');
    await waitForDescription(job, new RegExp(`^${name} · Succeeded · `), 240_000);
    assert.strictEqual(await page.locator('.monaco-dialog-box').count(), 0, 'no dialog is open');
    const messages = await notificationMessages(page);
    assert.ok(
      messages.some((message) => new RegExp(`${name} is running at .*host key was made here and recorded`).test(message)),
      JSON.stringify(messages),
    );
    const hostKeyQuestions = messages.filter(
      (message) => /host key|first connection/i.test(message) && !/made here and recorded/.test(message),
    );
    assert.deepStrictEqual(hostKeyQuestions, []);
    const userKnownHosts = fs.readFileSync(path.join(session.profile.home, '.ssh', 'known_hosts'), 'utf8');
    const address = session.sandbox.hosts.host(name).address;
    assert.ok(!userKnownHosts.includes(address), "the user's known_hosts was not touched: the extension keeps its own record");
    await screenshot('e2e-create-vm-trained');

    // Delete names what goes, then removes it all: the node leaves the tree and Azure lists nothing of it.
    await rightClick(page, vm, 'Delete VM…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    for (const kind of ['VM', 'OS disk', 'network interface', 'public IP', 'NSG', 'resource group'])
      assert.match(text, new RegExp(`• ${kind} `));
    await screenshot('e2e-create-vm-delete-confirm');
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: 'Delete' }).first().click();
    await vm.waitFor({ state: 'detached', timeout: 120_000 });
    assert.ok(!session.sandbox.arm.state.vms.some((each) => each.name === name), 'the VM is gone from Azure');
  });
});
