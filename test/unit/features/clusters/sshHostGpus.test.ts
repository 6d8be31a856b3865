import * as assert from 'assert';
import { AuthenticationFailedError, HostKeyChangedError, SshError } from '../../../../src/ssh/errors';
import {
  describeSshHostFailure,
  formatGpuInventory,
  parseGpuInventory,
  sshHostGpuPresentation,
} from '../../../../src/features/clusters/sshHostGpus';

describe('SSH host GPUs', () => {
  it('reads name and memory per GPU and groups equal ones', () => {
    const inventory = parseGpuInventory('NVIDIA A100 80GB PCIe, 81920\nNVIDIA A100 80GB PCIe, 81920\n', '', 0);
    assert.deepStrictEqual(inventory, {
      kind: 'gpus',
      gpus: [
        { name: 'NVIDIA A100 80GB PCIe', memoryMiB: 81920 },
        { name: 'NVIDIA A100 80GB PCIe', memoryMiB: 81920 },
      ],
    });
    assert.strictEqual(sshHostGpuPresentation({ status: 'read', inventory }).description, '2× NVIDIA A100 80GB PCIe');
  });

  it('lists a mix in nvidia-smi order and keeps commas inside a name', () => {
    assert.strictEqual(
      formatGpuInventory([{ name: 'NVIDIA A10' }, { name: 'Tesla T4' }, { name: 'NVIDIA A10' }]),
      '2× NVIDIA A10, 1× Tesla T4',
    );
    assert.deepStrictEqual(parseGpuInventory('Odd, Name, 1024\n', '', 0), { kind: 'gpus', gpus: [{ name: 'Odd, Name', memoryMiB: 1024 }] });
  });

  it('says "no NVIDIA GPU" when nvidia-smi is missing or finds no device, and an error otherwise', () => {
    const missing = parseGpuInventory('', 'bash: nvidia-smi: command not found', 127);
    assert.strictEqual(sshHostGpuPresentation({ status: 'read', inventory: missing }).description, 'no NVIDIA GPU');
    const none = parseGpuInventory('No devices were found\n', '', 6);
    assert.strictEqual(sshHostGpuPresentation({ status: 'read', inventory: none }).description, 'no NVIDIA GPU');
    const driver = parseGpuInventory("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", '', 9);
    assert.deepStrictEqual(driver, {
      kind: 'failed',
      reason: "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    });
  });

  it('offers to connect, without asking anything, when the host key is not known', () => {
    const shown = sshHostGpuPresentation({ status: 'hostKeyUnknown', detail: 'ssh-ed25519 SHA256:abc' });
    assert.strictEqual(shown.description, 'Connect to read GPUs');
    assert.strictEqual(shown.offersConnect, true);
    assert.match(shown.tooltip.join('\n'), /SHA256:abc/);
  });

  it('names connection failures and says what to do', () => {
    const refused = describeSshHostFailure(new SshError('Could not connect to lab (10.0.0.9:22): connect ECONNREFUSED 10.0.0.9:22'), 'lab');
    assert.strictEqual(refused.message, 'Connection refused');
    assert.match(refused.advice, /sshd runs on lab/);
    const auth = describeSshHostFailure(new AuthenticationFailedError('azureuser@lab:22 refused every key offered'), 'lab');
    assert.strictEqual(auth.message, 'No key was accepted');
    assert.match(auth.advice, /passphrase/);
    const changed = describeSshHostFailure(new HostKeyChangedError('WARNING: the host key of lab has changed. ssh-keygen -R'), 'lab');
    assert.strictEqual(changed.message, 'The host key of lab has changed');
    assert.match(changed.advice, /ssh-keygen -R/);
    const slow = describeSshHostFailure(new Error('lab did not answer within 15 s'), 'lab');
    assert.strictEqual(slow.message, 'No answer');
    const failed = sshHostGpuPresentation(refused);
    assert.strictEqual(failed.description, 'Connection refused');
    assert.strictEqual(failed.offersConnect, true);
  });
});
