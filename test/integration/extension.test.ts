import * as assert from 'assert';
import * as vscode from 'vscode';
import { contributedCommandIds, getExtensionUnderTest } from './extensionUnderTest';

describe('Azure PyTorch in a real extension host', () => {
  it('is present and activates', async () => {
    const extension = getExtensionUnderTest();
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('registers every azurePytorch.* command of package.json', async () => {
    const extension = getExtensionUnderTest();
    await extension.activate();
    const contributed = contributedCommandIds(extension).filter((id) => id.startsWith('azurePytorch.'));
    assert.ok(contributed.length > 0, 'package.json contributes no azurePytorch.* commands');

    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], 'contributed commands without a registered handler');
  });

  it('contributes the Clusters and Jobs views', async () => {
    for (const view of ['azurePytorch.clusters', 'azurePytorch.jobs']) {
      // VS Code registers `<view>.focus` only for contributed views; it rejects otherwise.
      await vscode.commands.executeCommand(`${view}.focus`);
    }
  });
});
