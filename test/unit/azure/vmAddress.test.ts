import * as assert from 'assert';
import type { AzureVm } from '../../../src/azure/virtualMachine';
import { UserCancelledError } from '../../../src/common/errors';
import { hostProblem, normalizedHost, VmAddressUnknownError, VmHosts, vmSshAddress } from '../../../src/azure/vmAddress';

function vm(overrides: Partial<AzureVm> = {}): AzureVm {
  return {
    id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/gpu-1',
    name: 'gpu-1',
    subscriptionId: 's1',
    resourceGroup: 'rg',
    location: 'eastus',
    size: 'Standard_NC24ads_A100_v4',
    status: { powerState: 'running' },
    networkInterfaceIds: [],
    ...overrides,
  };
}

describe('a VM address to connect to', () => {
  it('is the public IP, or the private one when the setting says so', () => {
    const both = vm({ publicIp: '20.1.2.3', privateIp: '10.0.0.4' });
    assert.deepStrictEqual(vmSshAddress(both, false), { kind: 'known', host: '20.1.2.3' });
    assert.deepStrictEqual(vmSshAddress(both, true), { kind: 'known', host: '10.0.0.4' });
  });

  it('is unknown, for the user to give, when the role may not read the addresses', () => {
    const publicUnread = vm({ privateIp: '10.0.0.4', unreadAddresses: 'public' });
    const unknown = vmSshAddress(publicUnread, false);
    assert.strictEqual(unknown.kind, 'unknown');
    assert.match(
      unknown.kind === 'unknown' ? unknown.reason : '',
      /public IP address of gpu-1: your role may not read public IP addresses/,
    );
    assert.deepStrictEqual(vmSshAddress(publicUnread, true), { kind: 'known', host: '10.0.0.4' });
    assert.strictEqual(vmSshAddress(vm({ unreadAddresses: 'all' }), true).kind, 'unknown');
  });

  it('is none when Azure says the VM has no such address', () => {
    const none = vmSshAddress(vm({ privateIp: '10.0.0.4' }), false);
    assert.strictEqual(none.kind, 'none');
    assert.match(none.kind === 'none' ? none.reason : '', /no public IP address \(set azurePytorch\.ssh\.usePrivateIp/);
  });
});

describe('a host the user enters', () => {
  it('may be an IPv4 or IPv6 address or a host name', () => {
    for (const host of ['20.81.4.17', '2001:db8::a100', '[2001:db8::a100]', 'gpu-box.eastus.cloudapp.azure.com', 'gpu-box', ' gpu-box ']) {
      assert.strictEqual(hostProblem(host), undefined, host);
    }
  });

  it('is refused when empty or neither', () => {
    assert.match(hostProblem('') ?? '', /Enter the IP address or host name/);
    for (const bad of ['999.1.1.1', 'azureuser@gpu-box', 'gpu box', '-gpu', 'gpu_box', 'host:22']) {
      assert.match(hostProblem(bad) ?? '', /neither an IP address nor a host name/, bad);
    }
  });

  it('is kept trimmed, an IPv6 address without brackets', () => {
    assert.strictEqual(normalizedHost(' [2001:db8::1] '), '2001:db8::1');
    assert.strictEqual(normalizedHost(' gpu-box '), 'gpu-box');
  });
});

describe('the hosts of VMs, asked of the user where Azure would not tell', () => {
  const unread = vm({ unreadAddresses: 'all' });

  /** VmHosts whose user answers `answers` in turn, recording each question. */
  function hostsAnswering(...answers: Array<string | undefined>): { hosts: VmHosts; asked: string[] } {
    const asked: string[] = [];
    const hosts = new VmHosts((asking, reason) => {
      asked.push(`${asking.name}: ${reason}`);
      return Promise.resolve(answers.shift());
    });
    return { hosts, asked };
  }

  it("uses Azure's address without asking", async () => {
    const { hosts, asked } = hostsAnswering();
    assert.strictEqual(await hosts.resolve(vm({ publicIp: '20.1.2.3' }), false), '20.1.2.3');
    assert.deepStrictEqual(asked, []);
  });

  it('asks once for a VM whose addresses the role may not read, and remembers the answer for that VM', async () => {
    const { hosts, asked } = hostsAnswering(' [2001:db8::7] ');
    assert.throws(() => hosts.known(unread, false), VmAddressUnknownError);
    assert.strictEqual(await hosts.resolve(unread, false), '2001:db8::7');
    assert.strictEqual(await hosts.resolve(unread, false), '2001:db8::7');
    assert.strictEqual(hosts.known({ ...unread, id: unread.id.toUpperCase() }, false), '2001:db8::7', 'VM ids ignore case');
    assert.strictEqual(asked.length, 1);
    assert.match(asked[0], /^gpu-1: Azure did not tell the public IP address of gpu-1: your role may not read network interfaces\.$/);
    assert.throws(
      () => hosts.known(vm({ id: `${unread.id}-2`, unreadAddresses: 'all' }), false),
      VmAddressUnknownError,
      'another VM is not',
    );
  });

  it('does not ask when Azure says there is no such address, and says what to do', async () => {
    const { hosts, asked } = hostsAnswering('20.1.2.3');
    await assert.rejects(hosts.resolve(vm(), false), /no public IP address .*Or give it a public IP address in the Azure portal/);
    assert.deepStrictEqual(asked, []);
  });

  it('is cancelled when the question is dismissed, and asks again next time', async () => {
    const { hosts, asked } = hostsAnswering(undefined, 'gpu-box.internal');
    await assert.rejects(hosts.resolve(unread, false), UserCancelledError);
    assert.strictEqual(await hosts.resolve(unread, false), 'gpu-box.internal');
    assert.strictEqual(asked.length, 2);
  });

  it('refuses an answer that is not a host', async () => {
    const { hosts } = hostsAnswering('azureuser@gpu box');
    await assert.rejects(hosts.resolve(unread, false), /neither an IP address nor a host name/);
    assert.throws(() => hosts.known(unread, false), VmAddressUnknownError, 'nothing was remembered');
  });
});
