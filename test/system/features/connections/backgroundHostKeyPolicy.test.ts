import * as assert from 'assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backgroundHostKeyPrompt, HostKeyNotKnownError } from '../../../../src/features/connections/backgroundHostKeyPolicy';
import { gpuInventoryArgv, parseGpuInventory } from '../../../../src/features/clusters/sshHostGpus';
import { startTestHosts, trustHostKeys, type TestHosts } from '../../ssh/testHosts';

describe('SSH hosts read in the background (against a simulated host)', function () {
  this.timeout(60_000);
  let test: TestHosts;

  before(async () => {
    test = await startTestHosts(['lab-one']);
  });

  after(async () => {
    await test?.dispose();
  });

  it('refuses an unknown host key without asking and records nothing', async () => {
    const pool = test.pool({ hostKeyPrompt: backgroundHostKeyPrompt });
    const host = test.hosts.host('lab-one');
    const target = { host: host.address, port: host.port, user: test.hosts.user };
    await assert.rejects(pool.execText(target, gpuInventoryArgv), (error: unknown) => {
      assert.ok(error instanceof HostKeyNotKnownError, `got ${String(error)}`);
      assert.strictEqual(error.fingerprint, host.hostKeyFingerprint);
      return true;
    });
    assert.strictEqual(fs.existsSync(path.join(test.home, '.ssh', 'known_hosts')), false);
  });

  it('reads the GPU inventory once the key is known', async () => {
    trustHostKeys(test);
    const pool = test.pool({ hostKeyPrompt: backgroundHostKeyPrompt });
    const host = test.hosts.host('lab-one');
    const result = await pool.execText({ host: host.address, port: host.port, user: test.hosts.user }, gpuInventoryArgv);
    // A host without GPUs: the stand-in nvidia-smi answers as the real one does.
    assert.deepStrictEqual(parseGpuInventory(result.stdout, result.stderr, result.code), {
      kind: 'none',
      reason: 'nvidia-smi found no devices',
    });
  });
});
