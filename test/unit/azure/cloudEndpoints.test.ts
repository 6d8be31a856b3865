import * as assert from 'assert';
import { cloudEndpoints } from '../../../src/azure/cloudEndpoints';

describe('cloudEndpoints', () => {
  it('gives the public cloud its Resource Manager, authority and scope', () => {
    assert.deepStrictEqual(cloudEndpoints('AzureCloud'), {
      resourceManager: 'https://management.azure.com',
      authorityHost: 'https://login.microsoftonline.com',
      scope: 'https://management.azure.com/.default',
    });
  });

  it('gives sovereign clouds their own endpoints and scopes', () => {
    assert.strictEqual(cloudEndpoints('AzureChinaCloud').scope, 'https://management.chinacloudapi.cn/.default');
    assert.strictEqual(cloudEndpoints('AzureUSGovernment').resourceManager, 'https://management.usgovcloudapi.net');
  });

  it('takes a custom endpoint without its trailing slash, and the public scope', () => {
    const custom = cloudEndpoints('Custom', { resourceManager: 'https://127.0.0.1:8443/' });
    assert.strictEqual(custom.resourceManager, 'https://127.0.0.1:8443');
    assert.strictEqual(custom.authorityHost, 'https://127.0.0.1:8443');
    assert.strictEqual(custom.scope, 'https://management.azure.com/.default');
  });

  it('refuses a custom cloud with no endpoint or a plain-http one', () => {
    assert.throws(() => cloudEndpoints('Custom', {}), /resourceManagerEndpoint is empty/);
    assert.throws(() => cloudEndpoints('Custom', { resourceManager: 'http://x' }), /must be an https URL/);
  });
});
