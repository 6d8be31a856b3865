import * as assert from 'assert';
import { watchdogEndpoints } from '../../../../src/features/costGuard/watchdogEndpoints';

const azure = { resourceManager: 'https://management.azure.com', scope: 'https://management.azure.com/.default' };

describe("the watchdog's endpoints", () => {
  it("defaults to Azure's metadata service and the extension's Resource Manager, its audience from the scope", () => {
    assert.deepStrictEqual(watchdogEndpoints({ instanceMetadata: 'http://169.254.169.254', resourceManager: '' }, azure, '20.1.2.3'), {
      instanceMetadata: 'http://169.254.169.254',
      resourceManager: 'https://management.azure.com',
      resourceManagerAudience: 'https://management.azure.com/',
    });
  });

  it("puts the VM's address for {vmAddress}, takes the configured Resource Manager and passes the trusted CA on", () => {
    const endpoints = watchdogEndpoints(
      { instanceMetadata: 'http://{vmAddress}:4100/', resourceManager: 'https://127.0.0.1:8443/' },
      { ...azure, caPem: '-----BEGIN CERTIFICATE-----' },
      '127.0.0.7',
    );
    assert.strictEqual(endpoints.instanceMetadata, 'http://127.0.0.7:4100');
    assert.strictEqual(endpoints.resourceManager, 'https://127.0.0.1:8443');
    assert.strictEqual(endpoints.resourceManagerCaPem, '-----BEGIN CERTIFICATE-----');
  });
});
