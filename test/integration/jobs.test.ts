import * as assert from 'assert';
import * as vscode from 'vscode';
import type { JobStore } from '../../src/jobs/jobStore';
import { getExtensionUnderTest } from './extensionUnderTest';

async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The jobs feature in a real extension host, where nothing needs a VM: the launch configuration
 * file's schema in the editor, and launches refused before anything starts.
 */
describe('Jobs in a real extension host', function () {
  this.timeout(60_000);
  let folder: vscode.WorkspaceFolder;
  let configUri: vscode.Uri;
  let jobs: JobStore;

  before(async () => {
    const extension = getExtensionUnderTest();
    jobs = (await extension.activate()).jobs;
    folder = vscode.workspace.workspaceFolders![0];
    configUri = vscode.Uri.joinPath(folder.uri, '.vscode', 'azure-pytorch.json');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs
      .delete(vscode.Uri.joinPath(folder.uri, '.vscode'), { recursive: true, useTrash: false })
      .then(undefined, () => undefined);
  });

  async function writeConfig(text: string): Promise<void> {
    await vscode.workspace.fs.writeFile(configUri, new TextEncoder().encode(text));
  }

  it('validates .vscode/azure-pytorch.json in the editor against the contributed schema, comments allowed', async () => {
    await writeConfig(
      '{\n  // saved launches\n  "configurations": [\n    { "name": "big", "script": "train.py", "nprocPerNode": 0, "nproc": 2 }\n  ]\n}\n',
    );
    const document = await vscode.workspace.openTextDocument(configUri);
    await vscode.window.showTextDocument(document);
    assert.strictEqual(document.languageId, 'jsonc', 'the file is JSON with comments');
    const diagnostics = await eventually(() => {
      const found = vscode.languages.getDiagnostics(configUri);
      return found.length >= 2 ? found : undefined;
    }, 'schema diagnostics for the file');
    const lines = diagnostics.map((d) => `${d.range.start.line}: ${d.message}`).join('\n');
    assert.ok(
      diagnostics.some((d) => /not allowed/i.test(d.message) && document.getText(d.range).includes('nproc')),
      lines,
    );
    assert.ok(
      diagnostics.some((d) => /minimum|1/i.test(d.message) && document.getText(d.range) === '0'),
      lines,
    );
    assert.ok(!diagnostics.some((d) => /comment/i.test(d.message)), `comments are flagged:\n${lines}`);
  });

  it('refuses a bad configuration before anything starts, and a missing one by name', async () => {
    const before = jobs.all().length;
    await writeConfig(JSON.stringify({ configurations: [{ name: 'bad', script: 'train.py', nodes: 0 }] }));
    assert.strictEqual(await vscode.commands.executeCommand('azurePytorch.trainOnAzure', { configuration: 'bad' }), undefined);
    await writeConfig(JSON.stringify({ configurations: [{ name: 'ok', script: 'train.py', targets: ['nobody@127.0.0.1:1'] }] }));
    assert.strictEqual(await vscode.commands.executeCommand('azurePytorch.trainOnAzure', { configuration: 'missing' }), undefined);
    assert.strictEqual(jobs.all().length, before, 'no job was recorded');
  });

  it('refuses a configuration whose script does not exist, and one whose machine does not answer, recording no job', async () => {
    const before = jobs.all().length;
    await writeConfig(JSON.stringify({ configurations: [{ name: 'ghost', script: 'ghost.py', targets: ['nobody@127.0.0.1:1'] }] }));
    assert.strictEqual(await vscode.commands.executeCommand('azurePytorch.trainOnAzure', { configuration: 'ghost' }), undefined);
    // Port 1 on loopback refuses at once: the launch stops at "connect", before any file is written.
    // One of the user's own SSH hosts: a launch configuration that sends the folder elsewhere asks first (a modal).
    const sshHosts = vscode.workspace.getConfiguration('azurePytorch').inspect<string[]>('ssh.hosts')?.globalValue;
    await vscode.workspace.getConfiguration('azurePytorch').update('ssh.hosts', ['nobody@127.0.0.1:1'], vscode.ConfigurationTarget.Global);
    try {
      await writeConfig(JSON.stringify({ configurations: [{ name: 'down', script: 'train.py', targets: ['nobody@127.0.0.1:1'] }] }));
      assert.strictEqual(await vscode.commands.executeCommand('azurePytorch.trainOnAzure', { configuration: 'down' }), undefined);
    } finally {
      await vscode.workspace.getConfiguration('azurePytorch').update('ssh.hosts', sshHosts, vscode.ConfigurationTarget.Global);
    }
    assert.strictEqual(jobs.all().length, before, 'no job was recorded');
  });

  it('has job commands that say so when their job is gone', async () => {
    for (const command of ['azurePytorch.openLogs', 'azurePytorch.cancelJob', 'azurePytorch.removeJob', 'azurePytorch.runAgain']) {
      // Registered handlers catch the error and show it; the call itself resolves.
      assert.strictEqual(await vscode.commands.executeCommand(command, 'no-such-job'), undefined, command);
    }
  });
});
