import * as assert from 'assert';
import { displayState, isTransitional, vmStatusFromStatuses } from '../../../src/azure/powerState';

describe('power state', () => {
  it('reads the PowerState status of an instance view', () => {
    const status = vmStatusFromStatuses([
      { code: 'ProvisioningState/succeeded', displayStatus: 'Provisioning succeeded' },
      { code: 'PowerState/deallocated', displayStatus: 'VM deallocated' },
    ]);
    assert.deepStrictEqual(status, { powerState: 'deallocated', provisioningError: undefined });
    assert.strictEqual(displayState(status), 'deallocated');
  });

  it('maps every Azure power state, whatever its case', () => {
    for (const state of ['starting', 'running', 'stopping', 'stopped', 'deallocating', 'deallocated'] as const) {
      const upper = state[0].toUpperCase() + state.slice(1);
      assert.strictEqual(vmStatusFromStatuses([{ code: `PowerState/${upper}` }]).powerState, state);
    }
  });

  it('is unknown without statuses or with a power state it does not know', () => {
    assert.strictEqual(vmStatusFromStatuses(undefined).powerState, 'unknown');
    assert.strictEqual(vmStatusFromStatuses([]).powerState, 'unknown');
    assert.strictEqual(vmStatusFromStatuses([{ code: 'PowerState/hibernated' }]).powerState, 'unknown');
  });

  it('shows failed provisioning over the power state, keeping the power state for the actions', () => {
    const status = vmStatusFromStatuses([
      { code: 'ProvisioningState/failed/AllocationFailed', displayStatus: 'Provisioning failed', message: 'Allocation failed.' },
      { code: 'PowerState/deallocated' },
    ]);
    assert.strictEqual(status.powerState, 'deallocated');
    assert.strictEqual(status.provisioningError, 'Allocation failed.');
    assert.strictEqual(displayState(status), 'failed');
  });

  it('shows a running VM whose provisioning failed (a failed extension) as running and failed, not failed alone', () => {
    const status = vmStatusFromStatuses([
      {
        code: 'ProvisioningState/failed/VMExtensionProvisioningError',
        displayStatus: 'Provisioning failed',
        message: "VM has reported a failure when processing extension 'CustomScript'.",
      },
      { code: 'PowerState/running', displayStatus: 'VM running' },
    ]);
    assert.strictEqual(status.powerState, 'running');
    assert.strictEqual(status.provisioningError, "VM has reported a failure when processing extension 'CustomScript'.");
    assert.strictEqual(displayState(status), 'running-failed');
  });

  it('calls starting, stopping and deallocating transitional, and nothing else', () => {
    assert.deepStrictEqual(
      (['starting', 'running', 'stopping', 'stopped', 'deallocating', 'deallocated', 'unknown'] as const).filter(isTransitional),
      ['starting', 'stopping', 'deallocating'],
    );
  });
});
