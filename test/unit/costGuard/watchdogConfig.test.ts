import * as assert from 'assert';
import { defaultIdleCriteria } from '../../../src/costGuard/policy';
import { azureWatchdogEndpoints, watchdogConfig } from '../../../src/costGuard/watchdogConfig';

const vmResourceId =
  '/subscriptions/1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70/resourceGroups/rg-training/providers/Microsoft.Compute/virtualMachines/gpu-a100-1';

describe('cost guard watchdog config', () => {
  it("defaults to Azure's metadata service and Resource Manager, and checks every minute", () => {
    const config = watchdogConfig({ vmResourceId, policy: { idleMinutes: 30, idleWhen: defaultIdleCriteria } });
    assert.deepStrictEqual(config, {
      version: 1,
      vm: { resourceId: vmResourceId },
      endpoints: {
        instanceMetadata: 'http://169.254.169.254',
        resourceManager: 'https://management.azure.com',
        resourceManagerAudience: 'https://management.azure.com/',
      },
      computeApiVersion: '2024-07-01',
      checkIntervalSeconds: 60,
      policy: {
        idleSeconds: 1800,
        afterJob: null,
        idleWhen: { noJobs: true, noInteractiveSessions: true, gpuUtilizationBelow: 10 },
      },
    });
  });

  it("takes another cloud's endpoints and CA certificate, a job to wait for, and criteria turned off", () => {
    const endpoints = {
      instanceMetadata: 'http://127.0.0.9:8080',
      resourceManager: 'https://127.0.0.1:8443',
      resourceManagerAudience: 'https://management.usgovcloudapi.net/',
      resourceManagerCaPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    };
    const config = watchdogConfig({
      vmResourceId,
      policy: { afterJobId: 'train-3', idleWhen: { noJobs: true, noInteractiveSessions: false } },
      endpoints,
      checkIntervalSeconds: 5,
    });
    assert.deepStrictEqual(config.endpoints, {
      instanceMetadata: endpoints.instanceMetadata,
      resourceManager: endpoints.resourceManager,
      resourceManagerAudience: endpoints.resourceManagerAudience,
    });
    assert.strictEqual(config.resourceManagerCaPem, endpoints.resourceManagerCaPem);
    assert.strictEqual(config.checkIntervalSeconds, 5);
    assert.deepStrictEqual(config.policy, {
      idleSeconds: null,
      afterJob: 'train-3',
      idleWhen: { noJobs: true, noInteractiveSessions: false, gpuUtilizationBelow: null },
    });
  });

  it('turns fractions of a minute into whole seconds, at least one', () => {
    const seconds = (idleMinutes: number): number | null =>
      watchdogConfig({ vmResourceId, policy: { idleMinutes, idleWhen: defaultIdleCriteria } }).policy.idleSeconds;
    assert.strictEqual(seconds(2 / 60), 2);
    assert.strictEqual(seconds(0.001), 1);
    assert.strictEqual(seconds(1.5), 90);
  });

  it('refuses what the watchdog could not use, saying why', () => {
    const policy = { idleMinutes: 30, idleWhen: defaultIdleCriteria };
    assert.throws(
      () => watchdogConfig({ vmResourceId: '/subscriptions/s/resourceGroups/g', policy }),
      /not a virtual machine's resource id/,
    );
    assert.throws(() => watchdogConfig({ vmResourceId, policy: { idleWhen: defaultIdleCriteria } }), /Choose when to deallocate/);
    assert.throws(
      () => watchdogConfig({ vmResourceId, policy, endpoints: { ...azureWatchdogEndpoints, instanceMetadata: '169.254.169.254' } }),
      /not an http\(s\) URL/,
    );
    assert.throws(() => watchdogConfig({ vmResourceId, policy, checkIntervalSeconds: 0.5 }), /whole number of seconds/);
  });
});
