import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'ssh2';
import { StaticTokenCredential } from '../../sandbox/arm';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { ArmClients } from '../../../src/azure/armClients';
import { resolveAzureEnvironment } from '../../../src/azure/azureEnvironment';
import type { CredentialSource } from '../../../src/azure/credentialSource';
import { createGpuVm, deleteOwnedResources, findOwnedResources } from '../../../src/azure/gpuVmLifecycle';
import { GPU_IMAGES, planGpuVm } from '../../../src/azure/gpuVmPlan';
import { hostKeyFromBlob } from '../../../src/ssh/hostKey';
import { generateHostKeyPair } from '../../../src/ssh/hostKeyPair';
import { checkHostKey, parseKnownHosts } from '../../../src/ssh/knownHosts';
import { recordProvisionedHostKey } from '../../../src/ssh/provisionedHostKeys';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';

/** Runs a command over SSH, verifying the host key against a known_hosts file only: an unknown key fails. */
function sshRun(host: string, port: number, user: string, privateKey: string, knownHosts: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let verdict = 'not checked';
    client
      .on('ready', () => {
        client.exec(command, (error, stream) => {
          if (error) return reject(error);
          let output = '';
          stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
          stream.on('close', () => {
            client.end();
            resolve(output);
          });
        });
      })
      .on('error', (error) => reject(new Error(`${error.message} (host key: ${verdict})`)))
      .connect({
        host,
        port,
        username: user,
        privateKey,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => {
          const entries = parseKnownHosts(fs.readFileSync(knownHosts, 'utf8')).map((entry) => ({ ...entry, file: knownHosts }));
          verdict = checkHostKey(entries, host, port, hostKeyFromBlob(key)).kind;
          return verdict === 'known';
        },
      });
  });
}

describe('a VM created through the stand-in becomes a simulated host', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let clients: ArmClients;
  let workDir: string;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'created-vm-'));
    sandbox = await startSandbox({ stateDir: path.join(workDir, 'sandbox'), operationMs: 200 });
    const environment = resolveAzureEnvironment({
      cloud: 'Custom',
      resourceManagerEndpoint: sandbox.arm.endpoint,
      authorityHost: '',
      caCertificate: sandbox.arm.caFile,
    });
    const token = new StaticTokenCredential(sandbox.arm.staticToken);
    const source: CredentialSource = { kind: 'environment', credential: () => token, refresh: async () => {} };
    clients = new ArmClients(environment, source, { maxRetries: 0, pollIntervalMs: 50 });
  });

  after(async () => {
    clients?.dispose();
    await sandbox?.dispose();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('serves SSH with the host key made on the client, recorded before it booted, and stops when deleted', async () => {
    const hostKey = generateHostKeyPair('made-gpu@azure');
    const knownHosts = path.join(workDir, 'known_hosts');
    const plan = planGpuVm({
      subscriptionId: RESEARCH,
      location: 'eastus',
      resourceGroup: 'made-gpu-rg',
      newResourceGroup: true,
      name: 'made-gpu',
      size: 'Standard_NC4as_T4_v3',
      spot: false,
      image: GPU_IMAGES[0].reference,
      osDiskGB: 256,
      sshPublicKey: sandbox.hosts.publicKey,
      sshSource: '*',
      hostKey,
    });
    let recordedBeforeCreate = false;
    await createGpuVm(clients, plan, {
      beforeVm: async (address) => {
        assert.ok(address, 'the public IP has its address before the VM is created');
        assert.ok(!sandbox.hosts.hosts.some((h) => h.name === 'made-gpu'), 'no host yet');
        await recordProvisionedHostKey(knownHosts, address, 22, hostKey.publicKey, plan.vmId);
        recordedBeforeCreate = true;
      },
    });
    assert.ok(recordedBeforeCreate);
    const host = sandbox.hosts.host('made-gpu');
    if (host.port !== 22) await recordProvisionedHostKey(knownHosts, host.address, host.port, hostKey.publicKey, plan.vmId);
    const key = fs.readFileSync(sandbox.hosts.privateKeyPath, 'utf8');
    const gpus = await sshRun(host.address, host.port, sandbox.hosts.user, key, knownHosts, 'nvidia-smi -L');
    assert.match(gpus, /Tesla T4/);

    await deleteOwnedResources(clients, await findOwnedResources(clients, plan.vmId));
    assert.strictEqual(host.running, false, 'the deleted VM no longer serves SSH');
  });
});
