/**
 * Azure's GPU VM size families and the GPU each one carries. Azure's SKU API gives the GPU count
 * (the `GPUs` capability) but not the model, so the model comes from this table, matched on the
 * size name. Figures from Azure's published size documentation.
 */

export interface GpuModel {
  readonly vendor: 'NVIDIA' | 'AMD';
  /** Short model name as users say it: "A100", "H100 NVL", "MI300X". */
  readonly name: string;
  /** Memory of one whole GPU, in GB. */
  readonly memoryGB: number;
}

export interface GpuFamily {
  /** Azure's name of the series, as in the size documentation: "NC A100 v4". */
  readonly series: string;
  readonly gpu: GpuModel;
  /** The sizes Azure offers in the series, with their GPU count; a fraction is a partitioned GPU. */
  readonly sizes: Readonly<Record<string, number>>;
  /** Matches sizes of the series, including ones added after this table was written. */
  readonly pattern: RegExp;
}

const nvidia = (name: string, memoryGB: number): GpuModel => ({ vendor: 'NVIDIA', name, memoryGB });
const amd = (name: string, memoryGB: number): GpuModel => ({ vendor: 'AMD', name, memoryGB });

export const GPU_FAMILIES: readonly GpuFamily[] = [
  {
    series: 'NCv3',
    gpu: nvidia('V100', 16),
    sizes: { Standard_NC6s_v3: 1, Standard_NC12s_v3: 2, Standard_NC24s_v3: 4, Standard_NC24rs_v3: 4 },
    pattern: /^Standard_NC\d+r?s_v3$/i,
  },
  {
    series: 'NDv2',
    gpu: nvidia('V100', 32),
    sizes: { Standard_ND40rs_v2: 8 },
    pattern: /^Standard_ND\d+rs_v2$/i,
  },
  {
    series: 'NCasT4_v3',
    gpu: nvidia('T4', 16),
    sizes: { Standard_NC4as_T4_v3: 1, Standard_NC8as_T4_v3: 1, Standard_NC16as_T4_v3: 1, Standard_NC64as_T4_v3: 4 },
    pattern: /^Standard_NC\d+as_T4_v3$/i,
  },
  {
    series: 'NVv3',
    gpu: nvidia('M60', 8),
    sizes: { Standard_NV12s_v3: 1, Standard_NV24s_v3: 2, Standard_NV48s_v3: 4 },
    pattern: /^Standard_NV\d+s_v3$/i,
  },
  {
    series: 'NVv4',
    gpu: amd('MI25', 16),
    sizes: { Standard_NV4as_v4: 1 / 8, Standard_NV8as_v4: 1 / 4, Standard_NV16as_v4: 1 / 2, Standard_NV32as_v4: 1 },
    pattern: /^Standard_NV\d+as_v4$/i,
  },
  {
    series: 'NVadsA10 v5',
    gpu: nvidia('A10', 24),
    sizes: {
      Standard_NV6ads_A10_v5: 1 / 6,
      Standard_NV12ads_A10_v5: 1 / 3,
      Standard_NV18ads_A10_v5: 1 / 2,
      Standard_NV36ads_A10_v5: 1,
      Standard_NV36adms_A10_v5: 1,
      Standard_NV72ads_A10_v5: 2,
    },
    pattern: /^Standard_NV\d+adm?s_A10_v5$/i,
  },
  {
    series: 'NC A100 v4',
    gpu: nvidia('A100', 80),
    sizes: { Standard_NC24ads_A100_v4: 1, Standard_NC48ads_A100_v4: 2, Standard_NC96ads_A100_v4: 4 },
    pattern: /^Standard_NC\d+ads_A100_v4$/i,
  },
  {
    series: 'ND A100 v4',
    gpu: nvidia('A100', 40),
    sizes: { Standard_ND96asr_v4: 8 },
    pattern: /^Standard_ND\d+asr_v4$/i,
  },
  {
    series: 'NDm A100 v4',
    gpu: nvidia('A100', 80),
    sizes: { Standard_ND96amsr_A100_v4: 8 },
    pattern: /^Standard_ND\d+amsr_A100_v4$/i,
  },
  {
    series: 'NC H100 v5',
    gpu: nvidia('H100 NVL', 94),
    sizes: { Standard_NC40ads_H100_v5: 1, Standard_NC80adis_H100_v5: 2 },
    pattern: /^Standard_NC\d+adi?s_H100_v5$/i,
  },
  {
    series: 'NCCads H100 v5',
    gpu: nvidia('H100 NVL', 94),
    sizes: { Standard_NCC40ads_H100_v5: 1 },
    pattern: /^Standard_NCC\d+ads_H100_v5$/i,
  },
  {
    series: 'ND H100 v5',
    gpu: nvidia('H100', 80),
    sizes: { Standard_ND96isr_H100_v5: 8 },
    pattern: /^Standard_ND\d+isr_H100_v5$/i,
  },
  {
    series: 'ND H200 v5',
    gpu: nvidia('H200', 141),
    sizes: { Standard_ND96isr_H200_v5: 8 },
    pattern: /^Standard_ND\d+isr_H200_v5$/i,
  },
  {
    series: 'ND GB200 v6',
    gpu: nvidia('GB200', 186),
    sizes: { Standard_ND128isr_NDR_GB200_v6: 4 },
    pattern: /^Standard_ND\d+isr_(NDR_)?GB200_v6$/i,
  },
  {
    series: 'ND MI300X v5',
    gpu: amd('MI300X', 192),
    sizes: { Standard_ND96isr_MI300X_v5: 8 },
    pattern: /^Standard_ND\d+isr_MI300X_v5$/i,
  },
  {
    series: 'NGads V620',
    gpu: amd('Radeon PRO V620', 32),
    sizes: { Standard_NG8ads_V620_v1: 1 / 4, Standard_NG16ads_V620_v1: 1 / 2, Standard_NG32ads_V620_v1: 1, Standard_NG32adms_V620_v1: 1 },
    pattern: /^Standard_NG\d+adm?s_V620_v1$/i,
  },
];

export interface GpuSpec {
  readonly family: GpuFamily;
  /** GPUs of the size as the catalog knows them; undefined for a size newer than the table. */
  readonly catalogCount?: number;
}

/** The GPU family of a VM size, or undefined when the size has no GPU the catalog knows. */
export function findGpuFamily(vmSize: string): GpuSpec | undefined {
  const lower = vmSize.toLowerCase();
  for (const family of GPU_FAMILIES) {
    for (const [size, count] of Object.entries(family.sizes)) {
      if (size.toLowerCase() === lower) return { family, catalogCount: count };
    }
  }
  for (const family of GPU_FAMILIES) {
    if (family.pattern.test(vmSize)) return { family };
  }
  return undefined;
}

/** "A100 80GB": what users call a GPU model. */
export function gpuModelLabel(gpu: GpuModel): string {
  return `${gpu.name} ${gpu.memoryGB}GB`;
}
