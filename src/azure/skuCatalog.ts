import type { ComputeManagementClient } from '@azure/arm-compute';

/** What a Compute SKU tells about a VM size. */
export interface SizeFacts {
  readonly vCPUs?: number;
  readonly memoryGB?: number;
  /** The `GPUs` capability; undefined when the SKU has none (a size without GPUs). */
  readonly gpus?: number;
}

export type SizeTable = ReadonlyMap<string, SizeFacts>;

interface SkuLike {
  resourceType?: string;
  name?: string;
  capabilities?: Array<{ name?: string; value?: string }>;
}

/** Reads vCPUs, MemoryGB and GPUs out of the virtual-machine SKUs of a location, by lower-cased size name. */
export function sizeTableOf(skus: Iterable<SkuLike>): Map<string, SizeFacts> {
  const table = new Map<string, SizeFacts>();
  for (const sku of skus) {
    if (sku.resourceType !== 'virtualMachines' || !sku.name) continue;
    const capability = (name: string): number | undefined => {
      const value = sku.capabilities?.find((c) => c.name === name)?.value;
      const parsed = value === undefined ? NaN : Number(value);
      return Number.isFinite(parsed) ? parsed : undefined;
    };
    table.set(sku.name.toLowerCase(), { vCPUs: capability('vCPUs'), memoryGB: capability('MemoryGB'), gpus: capability('GPUs') });
  }
  return table;
}

/**
 * The VM sizes of each location, asked once per location and kept: a size's vCPUs, memory and GPUs
 * do not change, and every subscription sees the same figures.
 */
export class SkuCatalog {
  private readonly tables = new Map<string, Promise<SizeTable>>();

  sizes(compute: ComputeManagementClient, location: string, abortSignal?: AbortSignal): Promise<SizeTable> {
    const key = location.toLowerCase();
    let table = this.tables.get(key);
    if (!table) {
      table = this.load(compute, key, abortSignal);
      this.tables.set(key, table);
      // A failure is not kept: the next listing asks again.
      table.catch(() => this.tables.delete(key));
    }
    return table;
  }

  private async load(compute: ComputeManagementClient, location: string, abortSignal?: AbortSignal): Promise<SizeTable> {
    const skus: SkuLike[] = [];
    for await (const sku of compute.resourceSkus.list({ filter: `location eq '${location}'`, abortSignal })) {
      skus.push(sku);
    }
    return sizeTableOf(skus);
  }
}
