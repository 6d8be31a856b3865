import type { PowerState } from './powerState';
import type { AzureVm, VmGpus } from './virtualMachine';

/** Uniform: instances made from one model, with the scale set's own VM APIs. Flexible: instances are ordinary VMs. */
export type ScaleSetOrchestration = 'Uniform' | 'Flexible';

/** Identifies a scale set for the operations on it. */
export interface ScaleSetRef {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

export interface ScaleSetInstance {
  /** Uniform: the number Azure gives ("0", "1"…); Flexible: the VM's name. What `instanceIds` take. */
  readonly instanceId: string;
  /**
   * The instance as a VM. A Flexible instance is an ordinary VM (the VM APIs apply); a Uniform one has
   * the instance's id (`…/virtualMachineScaleSets/{name}/virtualMachines/{instanceId}`), which the VM
   * APIs do not take: its power actions go through the scale set.
   */
  readonly vm: AzureVm;
}

/** A VM scale set as the extension sees it: its size and GPUs per instance, and its instances. */
export interface AzureScaleSet extends ScaleSetRef {
  readonly location: string;
  readonly size: string;
  readonly orchestration: ScaleSetOrchestration;
  /** The instance count asked for (`sku.capacity`); the instances listed may be fewer while it scales. */
  readonly capacity: number;
  readonly vCPUs?: number;
  readonly memoryGB?: number;
  /** Per instance; undefined for a size without GPUs. */
  readonly gpus?: VmGpus;
  readonly instances: readonly ScaleSetInstance[];
  /** Set when the instances could not be listed: Azure's reason. */
  readonly instancesProblem?: string;
}

/** The largest instance count the extension offers to scale to (Azure's limit for most sets). */
export const MAX_SCALE_SET_CAPACITY = 1000;

/** The power actions offered on a scale set's instances. */
export type ScaleSetAction = 'start' | 'deallocate';

/** What is wrong with `text` as an instance count; undefined when nothing. */
export function capacityProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return `Enter a whole number of instances from 0 to ${MAX_SCALE_SET_CAPACITY}.`;
  const n = Number(trimmed);
  if (n > MAX_SCALE_SET_CAPACITY) return `At most ${MAX_SCALE_SET_CAPACITY} instances.`;
  return undefined;
}

/** How many instances are in each power state, in a fixed order (running first). */
export function instanceStateCounts(instances: readonly ScaleSetInstance[]): { state: PowerState; count: number }[] {
  const order: PowerState[] = ['running', 'starting', 'stopping', 'deallocating', 'stopped', 'deallocated', 'unknown'];
  return order
    .map((state) => ({ state, count: instances.filter((instance) => instance.vm.status.powerState === state).length }))
    .filter((entry) => entry.count > 0);
}

/** Instances by instance id, numerically where they are numbers (Uniform), so that the lowest comes first. */
export function instancesInOrder(instances: readonly ScaleSetInstance[]): ScaleSetInstance[] {
  const key = (id: string): number => (/^\d+$/.test(id) ? Number(id) : Number.POSITIVE_INFINITY);
  return [...instances].sort((a, b) => key(a.instanceId) - key(b.instanceId) || a.instanceId.localeCompare(b.instanceId));
}
