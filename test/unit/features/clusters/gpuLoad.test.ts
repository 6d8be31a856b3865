import * as assert from 'assert';
import type { AzureVm } from '../../../../src/azure/virtualMachine';
import type { GpuTelemetry } from '../../../../src/logs/nvidiaSmi';
import { gpuLoadSummary, gpuLoadTooltipRows, isStaleReading } from '../../../../src/features/clusters/gpuLoad';
import { sshHostDescription, vmDescription, vmTooltipRows } from '../../../../src/features/clusters/clustersPresentation';

const twoA100: GpuTelemetry = {
  kind: 'ok',
  time: 1_000,
  gpus: [
    { index: 0, name: 'NVIDIA A100 80GB PCIe', utilization: 90, memoryUsedMiB: 20_480, memoryTotalMiB: 40_960 },
    { index: 1, name: 'NVIDIA A100 80GB PCIe', utilization: 84, memoryUsedMiB: 21_504, memoryTotalMiB: 40_960 },
  ],
};

function vm(powerState: AzureVm['status']['powerState'] = 'running'): AzureVm {
  return {
    id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/gpu-a100-1',
    name: 'gpu-a100-1',
    subscriptionId: 's1',
    resourceGroup: 'rg',
    location: 'eastus',
    size: 'Standard_NC48ads_A100_v4',
    status: { powerState },
    networkInterfaceIds: [],
  };
}

describe('clusters GPU load', () => {
  it('summarises utilisation as the mean and memory as the sum over the GPUs', () => {
    assert.strictEqual(gpuLoadSummary(twoA100), 'GPU 87% · 41/80 GB');
  });

  it('keeps one decimal below 10 GB and leaves out what nvidia-smi did not give', () => {
    const small: GpuTelemetry = {
      kind: 'ok',
      time: 0,
      gpus: [{ index: 0, name: 'Tesla T4', utilization: 3, memoryUsedMiB: 512, memoryTotalMiB: 15_360 }],
    };
    assert.strictEqual(gpuLoadSummary(small), 'GPU 3% · 0.5/15 GB');
    const bare: GpuTelemetry = { kind: 'ok', time: 0, gpus: [{ index: 0, name: 'Tesla T4' }] };
    assert.strictEqual(gpuLoadSummary(bare), 'GPU load unknown');
  });

  it('has one tooltip row per GPU', () => {
    assert.deepStrictEqual(gpuLoadTooltipRows(twoA100), [
      ['GPU 0', 'NVIDIA A100 80GB PCIe · 90% · 20/40 GB'],
      ['GPU 1', 'NVIDIA A100 80GB PCIe · 84% · 21/40 GB'],
    ]);
  });

  it('says why telemetry is unavailable', () => {
    const failed: GpuTelemetry = { kind: 'unavailable', reason: 'nvidia-smi is not installed on this VM', time: 0 };
    assert.strictEqual(gpuLoadSummary(failed), 'GPU telemetry unavailable');
    assert.deepStrictEqual(gpuLoadTooltipRows(failed), [['GPU load', 'GPU telemetry unavailable: nvidia-smi is not installed on this VM']]);
  });

  it('calls a reading stale past its maximum age', () => {
    assert.strictEqual(isStaleReading({ time: 1_000 }, 31_000, 30_000), false);
    assert.strictEqual(isStaleReading({ time: 1_000 }, 31_001, 30_000), true);
  });

  it('adds the live load to a running VM node, and not to one that stopped or is changing state', () => {
    assert.strictEqual(vmDescription(vm(), undefined, twoA100), 'GPU 87% · 41/80 GB · Standard_NC48ads_A100_v4 · eastus');
    assert.deepStrictEqual(
      vmTooltipRows(vm(), undefined, twoA100)
        .slice(-2)
        .map(([label]) => label),
      ['GPU 0', 'GPU 1'],
    );
    assert.strictEqual(vmDescription(vm('deallocated'), undefined, twoA100), 'Standard_NC48ads_A100_v4 · eastus · deallocated');
    assert.strictEqual(vmDescription(vm(), 'deallocate', twoA100), 'Standard_NC48ads_A100_v4 · eastus · Deallocating…');
    assert.ok(!vmTooltipRows(vm(), 'restart', twoA100).some(([label]) => label.startsWith('GPU ')));
  });

  it('keeps a failed reading after the state, where it does not hide the VM', () => {
    const failed: GpuTelemetry = { kind: 'unavailable', reason: 'nvidia-smi is not installed on this VM', time: 0 };
    assert.strictEqual(vmDescription(vm(), undefined, failed), 'Standard_NC48ads_A100_v4 · eastus · running · GPU telemetry unavailable');
  });

  it('leads an SSH host with the live load of a job on it, before its GPUs and where it comes from', () => {
    assert.strictEqual(sshHostDescription('2× NVIDIA A100 80GB PCIe', '~/.ssh/config'), '2× NVIDIA A100 80GB PCIe · ~/.ssh/config');
    assert.strictEqual(
      sshHostDescription('2× NVIDIA A100 80GB PCIe', '~/.ssh/config', twoA100),
      'GPU 87% · 41/80 GB · 2× NVIDIA A100 80GB PCIe · ~/.ssh/config',
    );
    assert.strictEqual(sshHostDescription('', 'added'), 'added');
  });
});
