import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { type ArmStandIn, type RetailPricesStandIn, startArmStandIn, startRetailPricesStandIn } from '../sandbox/arm';
import { getExtensionUnderTest } from './extensionUnderTest';

const SETTINGS = [
  'cloud',
  'resourceManagerEndpoint',
  'authorityHost',
  'caCertificate',
  'credential',
  'capacity.retailPricesEndpoint',
] as const;
const PRODUCTION = '8c3e1b6d-4a2f-4d7e-9c85-2b6a0e4f1d93';

function azureLayerLoaded(): boolean {
  return Object.keys(require.cache).some((file) => file.endsWith(`${path.sep}dist${path.sep}azure.js`));
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The Clusters commands in a real extension host, against the ARM stand-in, configured the way a
 * user of a custom cloud with a service principal would: settings plus AZURE_* variables (the
 * extension host is this process, so they are set here).
 */
describe('Clusters commands against the sandbox cloud', function () {
  this.timeout(60_000);
  let stateDir: string;
  let arm: ArmStandIn;
  let prices: RetailPricesStandIn;
  const vmNode = (name: string) => ({ kind: 'vm', vmId: arm.state.vmNamed(name).id });

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-pytorch-integration-arm-'));
    arm = await startArmStandIn({ stateDir, operationMs: 300 });
    prices = await startRetailPricesStandIn();
    Object.assign(process.env, { AZURE_TENANT_ID: arm.tenantId, AZURE_CLIENT_ID: arm.clientId, AZURE_CLIENT_SECRET: arm.clientSecret });
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('azurePytorch');
    for (const setting of SETTINGS) await config.update(setting, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('azurePytorch.signOut');
    await arm?.close();
    await prices?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('activates without loading the Azure SDK', async () => {
    await getExtensionUnderTest().activate();
    await vscode.commands.executeCommand('azurePytorch.refresh');
    assert.strictEqual(azureLayerLoaded(), false, 'dist/azure.js was loaded at activation');
  });

  it('signs in with the configured service principal and lists the VMs', async () => {
    const config = vscode.workspace.getConfiguration('azurePytorch');
    await config.update('cloud', 'Custom', vscode.ConfigurationTarget.Global);
    await config.update('resourceManagerEndpoint', arm.endpoint, vscode.ConfigurationTarget.Global);
    await config.update('authorityHost', arm.endpoint, vscode.ConfigurationTarget.Global);
    await config.update('caCertificate', arm.caFile, vscode.ConfigurationTarget.Global);
    await config.update('credential', 'environment', vscode.ConfigurationTarget.Global);
    // Running VMs show their price: from the stand-in, never from the public API.
    await config.update('capacity.retailPricesEndpoint', prices.endpoint, vscode.ConfigurationTarget.Global);
    const before = arm.requestLog.length;
    await vscode.commands.executeCommand('azurePytorch.signIn');
    assert.ok(azureLayerLoaded(), 'the Azure layer is loaded once it is needed');
    const listed = arm.requestLog.slice(before).map((r) => r.path);
    assert.ok(
      listed.some((p) => /oauth2\/v2\.0\/token/.test(p)),
      'a token was fetched from the configured authority',
    );
    assert.ok(
      listed.some((p) => p.includes(`${PRODUCTION}/providers/Microsoft.Compute/virtualMachines`)),
      'the VMs were listed',
    );
  });

  it('starts a deallocated VM from its node and waits for Azure', async () => {
    assert.strictEqual(arm.state.vmNamed('gpu-t4').powerState, 'deallocated');
    await vscode.commands.executeCommand('azurePytorch.startVm', vmNode('gpu-t4'));
    assert.strictEqual(arm.state.vmNamed('gpu-t4').powerState, 'running');
    await arm.setPowerState('gpu-t4', 'deallocated');
  });

  it('copies the public IP of a VM', async () => {
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('azurePytorch.copyIp', vmNode('gpu-a100-1'));
    await eventually(async () => (await vscode.env.clipboard.readText()) === '127.0.0.2', 'the clipboard held 127.0.0.2');
  });

  it('leaves a VM as it was when Azure refuses to start it, and says so', async () => {
    arm.operations.failNext({ vmName: 'gpu-t4', action: 'start', code: 'AllocationFailed' });
    const before = arm.requestLog.length;
    // The error is shown to the user; the command itself settles.
    void vscode.commands.executeCommand('azurePytorch.startVm', vmNode('gpu-t4'));
    await eventually(
      () => arm.requestLog.slice(before).some((r) => r.method === 'POST' && /gpu-t4\/start/.test(r.path)),
      'the start was asked of Azure',
    );
    await eventually(
      () => arm.requestLog.slice(before).some((r) => /gpu-t4\?.*instanceView/i.test(r.path)),
      'the VM was read again after the failure',
    );
    assert.strictEqual(arm.state.vmNamed('gpu-t4').powerState, 'deallocated');
  });

  it('retries just the failed subscription', async () => {
    arm.faults.add({ kind: 'forbidden', path: `${PRODUCTION}/providers/Microsoft.Compute/virtualMachines`, times: 1 });
    await vscode.commands.executeCommand('azurePytorch.refresh');
    await eventually(() => arm.faults.list().length === 0, 'the fault was hit');
    const before = arm.requestLog.length;
    await vscode.commands.executeCommand('azurePytorch.retrySubscription', { kind: 'subscription', subscriptionId: PRODUCTION });
    const paths = arm.requestLog.slice(before).map((r) => r.path);
    assert.ok(
      paths.some((p) => p.includes(`${PRODUCTION}/providers/Microsoft.Compute/virtualMachines`)),
      'the subscription was listed again',
    );
    assert.ok(!paths.some((p) => /^\/subscriptions\?/.test(p)), 'not the whole tree');
  });
});
