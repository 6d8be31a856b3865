import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { openViewContainer, treeItem, viewPane } from '../harness/views';
import { useSandboxWorkbench } from './sandboxWorkbench';
import { logPanel } from './logPanels';
import { openTrainOnAzure, pickQuickItem, waitForArgumentsPrompt } from './trainFlow';

const vm = 'gpu-a100-1';
const steps = 30;

// A function in a synced file of its own, so that the traceback has a frame to link to.
const helpersPy = `"""Checks used by diverge.py."""


def stop_diverged(step: int) -> None:
    raise FloatingPointError(f"loss is not finite at step {step}")
`;
const raiseLine = helpersPy.split('\n').findIndex((line) => line.includes('raise FloatingPointError')) + 1;

// Prints its loss slowly, then waits for the test to create `release` next to it before it fails:
// the test sees the log while the job is still running.
const divergePy = `import os
import time

from helpers import stop_diverged

# One rank tells the story: the other workers (one per simulated GPU) end quietly.
if int(os.environ.get("RANK", "0")) != 0:
    raise SystemExit(0)
release = os.path.join(os.path.dirname(os.path.abspath(__file__)), "release")
loss = 2.0
for step in range(1, ${steps + 1}):
    loss *= 0.9
    print(f"step={step} loss={loss:.5f}", flush=True)
    time.sleep(0.03)
deadline = time.time() + 300
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.05)
stop_diverged(${steps + 1})
`;

/** The texts of the log rows now in the DOM (the visible ones). */
async function visibleRows(panel: FrameLocator): Promise<string[]> {
  return panel.locator('#log .row').allInnerTexts();
}

/** The synced copy of the workspace on the VM that holds `file`. */
/** The running job's own copy of the workspace on the VM (the job runs in it), found by a file in it. */
function remoteWorkspaceWith(home: string, file: string): string | undefined {
  const root = path.join(home, '.azure-pytorch', 'jobs');
  if (!fs.existsSync(root)) return undefined;
  return fs
    .readdirSync(root)
    .map((id) => path.join(root, id, 'workspace'))
    .find((dir) => fs.existsSync(path.join(dir, file)));
}

describe('The log panel in the browser, during a sandbox job', () => {
  const session = useSandboxWorkbench('logs', { workspaceFiles: { 'helpers.py': helpersPy, 'diverge.py': divergePy } });
  const workbench = session.workbench;

  it('streams lines while the job runs, charts the loss, and links the traceback to the local file', async function () {
    this.timeout(300_000);
    const { page, screenshot, folder: workspace } = workbench();
    await openViewContainer(page, 'Azure PyTorch');
    await treeItem(viewPane(page, 'Clusters'), vm).waitFor({ state: 'visible', timeout: 60_000 });

    await openTrainOnAzure(page, 'diverge.py');
    await pickQuickItem(page, vm);
    await waitForArgumentsPrompt(page, 'diverge.py', 30_000);
    await page.keyboard.press('Enter');

    const panel = await logPanel(page, 'diverge.py');

    // Lines arrive while the job is running: it cannot end before the test releases it.
    await panel
      .locator('#log .row', { hasText: `step=${steps} loss=` })
      .first()
      .waitFor({ state: 'visible', timeout: 180_000 });
    assert.strictEqual(await panel.locator('#status').getAttribute('class'), 'running');
    // Following one node without trouble: no per-node badge ("connecting") is left in the header.
    await panel.locator('#status .node-state').first().waitFor({ state: 'detached', timeout: 5_000 });
    const rows = await visibleRows(panel);
    assert.ok(
      rows.some((row) => /step=\d+ loss=0\.\d+/.test(row)),
      JSON.stringify(rows),
    );

    // The loss chart holds a point per step and has drawn them.
    const chart = panel.locator('#charts .chart[data-metric="loss"]');
    await chart.waitFor({ state: 'visible', timeout: 10_000 });
    await panel.locator(`#charts .chart[data-metric="loss"][data-drawn-points="${steps}"]`).waitFor({ timeout: 10_000 });
    assert.strictEqual(await chart.getAttribute('data-points'), String(steps));
    assert.match(
      (await chart.locator('canvas').getAttribute('aria-label')) ?? '',
      new RegExp(`^loss chart: ${steps} points, step 1 to ${steps}, latest 0\\.08`),
    );
    await screenshot('e2e-logs-running');

    // Release the job: it raises from helpers.py, on the VM.
    const remote = remoteWorkspaceWith(session.sandbox.hosts.host(vm).homeDir, 'diverge.py');
    assert.ok(remote, 'the job runs in its own copy of the synced workspace');
    fs.writeFileSync(path.join(remote, 'release'), '');

    await panel.locator('#status.failed').waitFor({ timeout: 120_000 });
    await panel.locator('#failures .failure-item').first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await panel.locator('#failures').innerText(), /FloatingPointError: loss is not finite at step 31/);

    // Find the frame in the log; it is highlighted and links to the local helpers.py.
    await panel.locator('#search').fill('helpers.py", line');
    await panel.locator('#search').press('Enter');
    const frameRow = panel.locator('#log .row.current');
    await frameRow.waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok((await frameRow.getAttribute('class'))?.split(' ').includes('failure'), 'the traceback frame is highlighted');
    const link = frameRow.locator('a', { hasText: 'helpers.py' });
    assert.strictEqual(await link.getAttribute('title'), `Open ${path.join(workspace, 'helpers.py')}:${raiseLine}`);
    const errorRow = panel.locator('#log .row.failure', { hasText: 'FloatingPointError: loss is not finite' });
    assert.ok((await errorRow.count()) >= 1, 'the exception line is highlighted');
    await screenshot('e2e-logs-failed');

    await link.click();
    const tab = page.locator('.tabs-container .tab.active', { hasText: 'helpers.py' });
    await tab.waitFor({ state: 'visible', timeout: 15_000 });
    assert.strictEqual(await tab.getAttribute('data-resource-name'), 'helpers.py');
    const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
    await editor.locator('.view-line', { hasText: 'raise FloatingPointError' }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${raiseLine}, Col 1` }).waitFor({ timeout: 10_000 });
    await screenshot('e2e-logs-source-opened');
  });
});
