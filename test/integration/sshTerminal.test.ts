import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { writeClientProfile } from '../sandbox/clientProfile';
import { startSandbox, type Sandbox } from '../sandbox/sandbox';
import { getExtensionUnderTest } from './extensionUnderTest';

async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function nextTerminal(name: string, timeoutMs: number): Promise<vscode.Terminal | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve(undefined);
    }, timeoutMs);
    const listener = vscode.window.onDidOpenTerminal((terminal) => {
      if (terminal.name !== name) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(terminal);
    });
  });
}

/**
 * Open SSH Terminal in a real extension host against the sandbox cloud: the VMs listed by the ARM
 * stand-in, their simulated hosts reached with the key and known_hosts of the user's home (the
 * client profile; the extension host is this process, so HOME and the variables are set here).
 */
describe('Open SSH Terminal against the sandbox', function () {
  this.timeout(120_000);
  let stateDir: string;
  let sandbox: Sandbox;
  let settings: Record<string, unknown>;
  const savedEnv: Record<string, string | undefined> = {};
  const vmNode = (name: string) => ({ kind: 'vm', vmId: sandbox.arm.state.vmNamed(name).id });

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-pytorch-integration-terminal-'));
    sandbox = await startSandbox({ stateDir: path.join(stateDir, 'sandbox'), operationMs: 300 });
    const profile = writeClientProfile(sandbox.summary, path.join(stateDir, 'home'));
    for (const [name, value] of Object.entries(profile.env)) {
      savedEnv[name] = process.env[name];
      process.env[name] = value;
    }
    settings = profile.settings;
    for (const [key, value] of Object.entries(settings))
      await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);
    await getExtensionUnderTest().activate();
    await vscode.commands.executeCommand('azurePytorch.signIn');
  });

  after(async () => {
    for (const terminal of vscode.window.terminals) terminal.dispose();
    for (const key of Object.keys(settings ?? {}))
      await vscode.workspace.getConfiguration().update(key, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('azurePytorch.signOut');
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await sandbox?.dispose();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('opens a shell on a running VM that runs what is sent to it, and closes when the shell exits', async () => {
    const opened = nextTerminal('SSH: gpu-a100-1', 30_000);
    await vscode.commands.executeCommand('azurePytorch.openSshTerminal', vmNode('gpu-a100-1'));
    const terminal = await opened;
    assert.ok(terminal, 'a terminal named "SSH: gpu-a100-1" opened');
    // Sent at once: what is typed before the shell is ready must not be lost.
    const marker = `terminal-${process.pid}-${Date.now()}.txt`;
    terminal.sendText(`hostname > ${marker}`);
    const written = path.join(sandbox.hosts.host('gpu-a100-1').homeDir, marker);
    await eventually(
      () => fs.existsSync(written) && fs.readFileSync(written, 'utf8').trim() === 'gpu-a100-1',
      `the VM wrote its hostname to ~/${marker}`,
    );

    const closed = new Promise<vscode.Terminal>((resolve) => {
      const listener = vscode.window.onDidCloseTerminal((t) => {
        if (t !== terminal) return;
        listener.dispose();
        resolve(t);
      });
    });
    terminal.sendText('exit 3');
    const ended = await Promise.race([closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000))]);
    assert.ok(ended, 'the terminal closed when its shell exited');
    assert.strictEqual(ended.exitStatus?.code, 3, 'with the shell’s exit code');
  });

  it('opens no terminal on a deallocated VM and says to start it', async () => {
    assert.strictEqual(sandbox.arm.state.vmNamed('gpu-t4').powerState, 'deallocated');
    const shown: string[] = [];
    const original = vscode.window.showErrorMessage;
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string, ...rest: unknown[]): unknown => {
      shown.push(message);
      const result: unknown = Reflect.apply(original, vscode.window, [message, ...rest]);
      return result;
    };
    try {
      const opened = nextTerminal('SSH: gpu-t4', 3_000);
      await vscode.commands.executeCommand('azurePytorch.openSshTerminal', vmNode('gpu-t4'));
      assert.strictEqual(await opened, undefined, 'no terminal opened');
      assert.ok(
        shown.some((message) => /Open SSH Terminal failed: gpu-t4 is deallocated: start it first/.test(message)),
        `the error says the VM is deallocated; shown: ${JSON.stringify(shown)}`,
      );
    } finally {
      (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
    }
  });
});
