import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { packagedVsixPath, repoRoot } from '../harness/paths';
import { notificationMessages } from '../harness/notifications';
import { runPaletteCommand } from '../harness/palette';
import { runningExtension } from '../harness/runningExtensions';
import { openViewContainer, viewPane } from '../harness/views';
import { jsonString, parseJson } from '../json';
import { useWorkbench } from './useWorkbench';

const manifest = parseJson(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const version = jsonString(manifest, 'version');
const extensionFolder = `${jsonString(manifest, 'publisher')}.${jsonString(manifest, 'name')}-${version}`;

describe('Azure PyTorch packaged as dist/azure-pytorch.vsix', () => {
  const workbench = useWorkbench('vsix', { extension: { kind: 'vsix', path: packagedVsixPath } });

  it('installs with --install-extension, with its bundle', () => {
    const installed = path.join(workbench().server.extensionsDir, extensionFolder);
    const installedManifest = parseJson(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    const main = jsonString(installedManifest, 'main');
    assert.strictEqual(jsonString(installedManifest, 'version'), version);
    assert.ok(fs.existsSync(path.join(installed, main)), `${main} is not in the package`);
  });

  it('shows its Clusters view and activates', async () => {
    const { page, screenshot } = workbench();
    await openViewContainer(page, 'Azure PyTorch');
    await viewPane(page, 'Clusters').waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot('e2e-vsix-sidebar');

    const running = await runningExtension(page, 'Azure PyTorch');
    assert.strictEqual(running.version, version);
    assert.match(running.activation, /Activation/, 'the packaged extension did not activate');
    assert.deepStrictEqual(running.problems, [], 'the workbench reports problems with the extension');
  });

  it('runs "Azure PyTorch: Refresh" from the palette without an error', async () => {
    const { page, screenshot } = workbench();
    await runPaletteCommand(page, 'Azure PyTorch: Refresh');
    // A missing handler or a failing activation would surface as an error notification.
    await page.waitForTimeout(500);
    const messages = await notificationMessages(page);
    await screenshot('e2e-vsix-refresh');
    const problems = messages.filter((message) => /refresh|not found|failed|error/i.test(message));
    assert.deepStrictEqual(problems, []);
  });
});
