import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type ArmStandIn, httpsRequest, startArmStandIn } from '../../sandbox/arm';
import { answerDualStack, answerTwoNics } from '../../sandbox/arm/network-layouts';
import { jsonArray, jsonAt, jsonString } from '../../json';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const NETWORK = `/subscriptions/${RESEARCH}/providers/Microsoft.Network`;

describe('ARM stand-in: network layouts the cloud spec does not describe', () => {
  let stateDir: string;
  let arm: ArmStandIn;

  async function list(pathAndQuery: string): Promise<unknown[]> {
    const response = await httpsRequest(`${arm.endpoint}${pathAndQuery}`, arm.caPem, {
      headers: { Authorization: `Bearer ${arm.staticToken}` },
    });
    assert.strictEqual(response.status, 200);
    return jsonArray(response.json, 'value');
  }

  function named(items: readonly unknown[], name: string): unknown {
    const found = items.find((item) => jsonString(item, 'name') === name);
    assert.ok(found, `${name} is listed`);
    return found;
  }

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-network-'));
    arm = await startArmStandIn({ stateDir });
  });

  afterEach(() => arm.faults.clear());

  after(async () => {
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists a dual-stack NIC: IPv4 primary, a public IPv6 address on a secondary IP configuration', async () => {
    answerDualStack(arm.state, arm.faults, { vmName: 'gpu-a100-1', publicIpv6: '2001:db8::a100', withoutPublicIpv4: true });
    const nic = named(await list(`${NETWORK}/networkInterfaces?api-version=2024-05-01`), 'gpu-a100-1-nic');
    const configs = jsonArray(nic, 'properties', 'ipConfigurations');
    assert.deepStrictEqual(
      configs.map((c) => [jsonString(c, 'properties', 'privateIPAddressVersion'), jsonAt(c, 'properties', 'primary')]),
      [
        ['IPv4', true],
        ['IPv6', false],
      ],
    );
    assert.strictEqual(jsonAt(configs[0], 'properties', 'publicIPAddress'), undefined, 'no public IPv4 address');
    const v6Id = jsonString(configs[1], 'properties', 'publicIPAddress', 'id');
    const publicIps = await list(`${NETWORK}/publicIPAddresses?api-version=2024-05-01`);
    const v6 = named(publicIps, 'gpu-a100-1-ipv6');
    assert.strictEqual(jsonString(v6, 'id'), v6Id);
    assert.strictEqual(jsonString(v6, 'properties', 'publicIPAddressVersion'), 'IPv6');
    assert.strictEqual(jsonString(v6, 'properties', 'ipAddress'), '2001:db8::a100');
    assert.ok(!publicIps.some((ip) => jsonString(ip, 'name') === 'gpu-a100-1-ip'), 'the IPv4 public IP is gone');
  });

  it('lists a VM on two NICs whose bodies leave primary out: only the VM model marks the primary one', async () => {
    answerTwoNics(arm.state, arm.faults, { vmName: 'gpu-a100-1', secondNic: { privateIp: '10.9.0.4', publicIp: '203.0.113.9' } });
    const vms = await list(`/subscriptions/${RESEARCH}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01`);
    const refs = jsonArray(named(vms, 'gpu-a100-1'), 'properties', 'networkProfile', 'networkInterfaces');
    assert.deepStrictEqual(
      refs.map((r) => [jsonString(r, 'id').split('/').pop(), jsonAt(r, 'properties', 'primary')]),
      [
        ['gpu-a100-1-nic2', false],
        ['gpu-a100-1-nic', true],
      ],
    );
    const nics = await list(`${NETWORK}/networkInterfaces?api-version=2024-05-01`);
    for (const name of ['gpu-a100-1-nic', 'gpu-a100-1-nic2']) {
      assert.strictEqual(jsonAt(named(nics, name), 'properties', 'primary'), undefined, `${name} leaves primary out`);
    }
    const statuses = await list(
      `/subscriptions/${RESEARCH}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01&statusOnly=true`,
    );
    assert.ok(jsonAt(statuses[0], 'properties', 'instanceView'), 'the status list is served as before');
  });
});
