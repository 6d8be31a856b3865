import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { rightClick } from '../harness/contextMenu';
import { openViewContainer, treeItem, viewPane } from '../harness/views';
import { useSandboxWorkbench } from './sandboxWorkbench';
import { trainFromExplorer } from './trainFlow';
import { waitForDescription } from './treeRows';

const MIB_PER_GB = 1024;
/** A second Host of ~/.ssh/config for lab-gpu's machine: both are read at once over one connection. */
const SAME_MACHINE_HOST = 'lab-gpu-again';
/** A Host of ~/.ssh/config (on gpu-a100-2) whose host key is looked up under a name known_hosts lacks. */
const UNKNOWN_KEY_HOST = 'lab-new';
/** An SSH host's description once its background read ended, whatever it found. */
const READ_SETTLED = /^(?!reading GPUs…).+ · ~\/\.ssh\/config$/;

/**
 * Hovers the row and returns the text of the tooltip VS Code shows for it, once it contains
 * `expected`. A row redrawn under the pointer loses its pending hover, so it is hovered again.
 */
async function tooltipOf(page: Page, row: Locator, expected: string, timeoutMs = 15_000): Promise<string> {
  const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: expected }).last();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.mouse.move(0, 0);
    await row.locator('.label-name').first().hover();
    try {
      await hover.waitFor({ state: 'visible', timeout: 3_000 });
      break;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
  }
  // Markdown tooltips keep the spaces of their text as no-break spaces.
  return (await hover.innerText()).replace(/\u00a0/g, ' ');
}

async function hideTooltip(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await page.keyboard.press('Escape');
}

describe('Clusters view: GPUs of SSH hosts and live GPU load, against the sandbox cloud', () => {
  const session = useSandboxWorkbench('clusters-gpus', {
    prepare(sandbox, profile) {
      const address = (name: string): string => {
        const vm = sandbox.vms.find((candidate) => candidate.name === name);
        assert.ok(vm, `the sandbox has ${name}`);
        return vm.address;
      };
      const user = sandbox.summary.sshUser;
      fs.appendFileSync(
        path.join(profile.home, '.ssh', 'config'),
        `Host ${SAME_MACHINE_HOST}\n  HostName ${address('gpu-a100-1')}\n  User ${user}\n` +
          `Host ${UNKNOWN_KEY_HOST}\n  HostName ${address('gpu-a100-2')}\n  User ${user}\n  HostKeyAlias ${UNKNOWN_KEY_HOST}\n`,
      );
    },
  });
  const workbench = session.workbench;

  const title = 'lists the SSH hosts of ~/.ssh/config with the GPUs nvidia-smi reads on them; an unknown host key waits for a click';
  it(title, async function () {
    this.timeout(90_000);
    const { page, screenshot } = workbench();
    await openViewContainer(page, 'Azure PyTorch');
    const clusters = viewPane(page, 'Clusters');
    const lab = treeItem(clusters, 'lab-gpu');
    await lab.waitFor({ state: 'visible', timeout: 60_000 });
    const inventory = '2× NVIDIA A100 80GB PCIe · ~/.ssh/config';
    assert.strictEqual(await waitForDescription(lab, READ_SETTLED, 30_000), inventory);
    assert.strictEqual(await waitForDescription(treeItem(clusters, SAME_MACHINE_HOST), READ_SETTLED, 30_000), inventory);

    // Read in the background, it must not ask about the key: the node offers to connect instead.
    const unknown = treeItem(clusters, UNKNOWN_KEY_HOST);
    assert.strictEqual(await waitForDescription(unknown, READ_SETTLED, 30_000), 'Connect to read GPUs · ~/.ssh/config');
    assert.strictEqual(await page.locator('.monaco-dialog-box').count(), 0, 'no host key dialog during a background read');
    const labTooltip = await tooltipOf(page, lab, 'GPU 1');
    assert.match(labTooltip, /GPU 0: NVIDIA A100 80GB PCIe \(80 GB\)/);
    assert.match(labTooltip, /GPU 1: NVIDIA A100 80GB PCIe \(80 GB\)/);
    await screenshot('e2e-clusters-ssh-hosts-tooltip');
    await hideTooltip(page);
    assert.match(await tooltipOf(page, unknown, 'host key'), /host key is not known yet \(ssh-ed25519 SHA256:/);
    await hideTooltip(page);
    await screenshot('e2e-clusters-ssh-hosts');

    // A click connects as the user asked: the key is confirmed in a dialog, then the GPUs are read.
    await unknown.locator('.label-name').first().click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await dialog.innerText(), new RegExp(`First connection to ${UNKNOWN_KEY_HOST}`));
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: 'Trust and Connect' }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    assert.strictEqual(await waitForDescription(unknown, READ_SETTLED, 30_000), inventory);
    assert.match(
      fs.readFileSync(path.join(session.profile.home, '.ssh', 'known_hosts'), 'utf8'),
      new RegExp(`^${UNKNOWN_KEY_HOST} ssh-ed25519 `, 'm'),
    );
  });

  it('shows the live GPU load of a VM while a job runs on it, and drops it once the job ended', async function () {
    this.timeout(150_000);
    const { page, screenshot } = workbench();
    const clusters = viewPane(page, 'Clusters');
    const vm = treeItem(clusters, 'gpu-a100-1');
    await vm.waitFor({ state: 'visible', timeout: 60_000 });
    const idle = '2× A100 80GB · eastus · running · $ 7.35/h';
    assert.strictEqual(await waitForDescription(vm, /\/h$/, 30_000), idle);

    await session.sandbox.hosts.setGpuLoad('gpu-a100-1', [
      { utilization: 87, memoryUsedMiB: 41 * MIB_PER_GB },
      { utilization: 61, memoryUsedMiB: 20 * MIB_PER_GB },
    ]);
    const job = await trainFromExplorer(page, 'gpu-a100-1', '--steps 100000000');
    await waitForDescription(job, /^gpu-a100-1 · Running · /, 90_000);
    // Utilisation averaged over the two GPUs, memory summed; first, where a narrow sidebar still shows it.
    assert.strictEqual(await waitForDescription(vm, /GPU/, 20_000), 'GPU 74% · 61/160 GB · 2× A100 80GB · eastus · $ 7.35/h');
    await screenshot('e2e-clusters-gpu-load');
    const tooltip = await tooltipOf(page, vm, 'GPU 1');
    assert.match(tooltip, /GPU 0: NVIDIA A100 80GB PCIe · 87% · 41\/80 GB/);
    assert.match(tooltip, /GPU 1: NVIDIA A100 80GB PCIe · 61% · 20\/80 GB/);
    await screenshot('e2e-clusters-gpu-load-tooltip');
    await hideTooltip(page);

    // Live: a new load shows at the next reading.
    await session.sandbox.hosts.setGpuLoad('gpu-a100-1', { utilization: 12, memoryUsedMiB: 512 });
    assert.strictEqual(await waitForDescription(vm, /GPU 12%/, 20_000), 'GPU 12% · 1/160 GB · 2× A100 80GB · eastus · $ 7.35/h');

    await rightClick(page, job, 'Cancel Job');
    await waitForDescription(job, /^gpu-a100-1 · Cancelled · /, 60_000);
    const ended = Date.now();
    // Forgotten when the job ends, not when the last reading grows stale (30 s).
    assert.strictEqual(await waitForDescription(vm, /· running · \$ 7\.35\/h$/, 10_000), idle);
    console.log(`      the GPU load went away ${((Date.now() - ended) / 1000).toFixed(1)} s after the job ended`);
    await screenshot('e2e-clusters-gpu-load-ended');
  });
});
