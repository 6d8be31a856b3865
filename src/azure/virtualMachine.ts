import type { GpuModel } from './gpuCatalog';
import type { UnreadAddresses } from './networkAddresses';
import type { VmStatus } from './powerState';

/** The GPUs of a VM: the count from Azure's SKU, the model from the catalog when it knows the size. */
export interface VmGpus {
  /** May be a fraction for partitioned GPUs (NVadsA10 v5). */
  readonly count: number;
  readonly model?: GpuModel;
  readonly series?: string;
}

/** An Azure VM as the extension sees it: identity, hardware, state and addresses. */
export interface AzureVm {
  /** The ARM resource ID. */
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly size: string;
  readonly vCPUs?: number;
  readonly memoryGB?: number;
  /** Undefined when the VM has no GPU. */
  readonly gpus?: VmGpus;
  readonly status: VmStatus;
  /** The public address to reach it at: IPv4 where it has one, else IPv6. */
  readonly publicIp?: string;
  /** Its public IPv6 address, when it has one (on a secondary IP configuration, as Azure requires). */
  readonly publicIpv6?: string;
  readonly privateIp?: string;
  /**
   * Set when the role may not read its public IPs ('public') or network interfaces ('all'): the
   * addresses missing may exist, and only the user can tell them.
   */
  readonly unreadAddresses?: UnreadAddresses;
  /** The OS profile's admin user, the default SSH user. */
  readonly osUser?: string;
  readonly networkInterfaceIds: readonly string[];
  readonly zone?: string;
  /** A spot VM (the model's priority is Spot): billed at the spot price, evictable. */
  readonly spot?: boolean;
}

/** The parts of an ARM resource ID: `/subscriptions/{s}/resourceGroups/{g}/providers/{ns}/{type}/{name}`. */
export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)/i.exec(id);
  if (!match) throw new Error(`Not an Azure resource ID: ${id}`);
  return { subscriptionId: match[1], resourceGroup: match[2], name: match[3] };
}
