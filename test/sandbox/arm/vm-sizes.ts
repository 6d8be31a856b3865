/**
 * Real Azure VM sizes the sandbox knows, with the figures Azure publishes for them.
 * Compute SKUs are built from this table; a simulated host reads `gpuModel` and `gpus`
 * to decide what its stand-in nvidia-smi reports (Azure itself has no GPU-model capability).
 */
export interface VmSize {
  readonly name: string;
  /** The SKU `family`, as the quota and SKU APIs spell it. */
  readonly family: string;
  readonly vCPUs: number;
  readonly memoryGB: number;
  readonly gpus: number;
  /** The name nvidia-smi prints for this size's GPU. */
  readonly gpuModel?: string;
  readonly gpuMemoryGB?: number;
  readonly rdma?: boolean;
}

function size(
  name: string,
  family: string,
  vCPUs: number,
  memoryGB: number,
  gpu?: { count: number; model: string; memoryGB: number; rdma?: boolean },
): VmSize {
  return gpu
    ? { name, family, vCPUs, memoryGB, gpus: gpu.count, gpuModel: gpu.model, gpuMemoryGB: gpu.memoryGB, rdma: gpu.rdma }
    : { name, family, vCPUs, memoryGB, gpus: 0 };
}

const T4 = 'Tesla T4';
const A10 = 'NVIDIA A10';
const A100_PCIE_80 = 'NVIDIA A100 80GB PCIe';
const A100_SXM_40 = 'NVIDIA A100-SXM4-40GB';
const A100_SXM_80 = 'NVIDIA A100-SXM4-80GB';
const H100_NVL = 'NVIDIA H100 NVL';
const H100_SXM = 'NVIDIA H100 80GB HBM3';

const ALL_SIZES: readonly VmSize[] = [
  size('Standard_D4s_v5', 'standardDSv5Family', 4, 16),
  size('Standard_D8s_v5', 'standardDSv5Family', 8, 32),
  size('Standard_NC4as_T4_v3', 'standardNCASv3_T4Family', 4, 28, { count: 1, model: T4, memoryGB: 16 }),
  size('Standard_NC8as_T4_v3', 'standardNCASv3_T4Family', 8, 56, { count: 1, model: T4, memoryGB: 16 }),
  size('Standard_NC64as_T4_v3', 'standardNCASv3_T4Family', 64, 440, { count: 4, model: T4, memoryGB: 16 }),
  // A sixth of an A10: Azure's SKU rounds it up to `GPUs: 1`.
  size('Standard_NV6ads_A10_v5', 'StandardNVADSA10v5Family', 6, 55, { count: 1, model: A10, memoryGB: 24 }),
  size('Standard_NV36ads_A10_v5', 'StandardNVADSA10v5Family', 36, 440, { count: 1, model: A10, memoryGB: 24 }),
  size('Standard_NC24ads_A100_v4', 'StandardNCADSA100v4Family', 24, 220, { count: 1, model: A100_PCIE_80, memoryGB: 80 }),
  size('Standard_NC48ads_A100_v4', 'StandardNCADSA100v4Family', 48, 440, { count: 2, model: A100_PCIE_80, memoryGB: 80 }),
  size('Standard_NC96ads_A100_v4', 'StandardNCADSA100v4Family', 96, 880, { count: 4, model: A100_PCIE_80, memoryGB: 80 }),
  size('Standard_ND96asr_v4', 'standardNDASv4_A100Family', 96, 900, { count: 8, model: A100_SXM_40, memoryGB: 40, rdma: true }),
  size('Standard_ND96amsr_A100_v4', 'standardNDAMSv4_A100Family', 96, 1900, { count: 8, model: A100_SXM_80, memoryGB: 80, rdma: true }),
  size('Standard_NC40ads_H100_v5', 'standardNCadsH100v5Family', 40, 320, { count: 1, model: H100_NVL, memoryGB: 94 }),
  size('Standard_NC80adis_H100_v5', 'standardNCadsH100v5Family', 80, 640, { count: 2, model: H100_NVL, memoryGB: 94 }),
  size('Standard_ND96isr_H100_v5', 'standardNDSH100v5Family', 96, 1900, { count: 8, model: H100_SXM, memoryGB: 80, rdma: true }),
];

export const VM_SIZES: ReadonlyMap<string, VmSize> = new Map(ALL_SIZES.map((s) => [s.name.toLowerCase(), s]));

export function findVmSize(name: string): VmSize | undefined {
  return VM_SIZES.get(name.toLowerCase());
}

export function vmSize(name: string): VmSize {
  const found = findVmSize(name);
  if (!found) {
    throw new Error(`Unknown VM size '${name}'; known sizes: ${ALL_SIZES.map((s) => s.name).join(', ')}`);
  }
  return found;
}
