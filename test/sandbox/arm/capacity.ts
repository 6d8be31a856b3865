/**
 * What limits VM creation in the stand-in, as Azure limits it: vCPU quotas per location (each size
 * family, the regional total, and low-priority for spot), SKU restrictions (a size the subscription
 * may not use in a location or zone), and allocation failures injected for the next creates.
 * Usage is counted from the VMs that hold cores: every VM that is not deallocated.
 */
import { MarketplaceTerms } from './marketplace';
import { ProvisioningOperations } from './provisioning-operations';
import type { ArmState, VirtualMachine } from './state';

export interface QuotaLimits {
  /** "Total Regional vCPUs" (`cores`). */
  regional: number;
  /** "Total Regional Low-priority vCPUs" (`lowPriorityCores`), what spot VMs count against. */
  lowPriority: number;
  /** Limits by family name as the SKU spells it; `defaultFamily` for the rest. */
  families: Record<string, number>;
  defaultFamily: number;
}

export interface SkuRestriction {
  location: string;
  size: string;
  /** Restricted zones only; the whole location when absent. */
  zones?: string[];
  /** Azure's codes: `NotAvailableForSubscription` (capacity kept back) or `QuotaId` (the offer type). */
  reasonCode?: 'NotAvailableForSubscription' | 'QuotaId';
}

export interface CreateFailure {
  /** Every VM when absent. */
  vmName?: string;
  /** Only a create asking for this zone (a zone out of capacity) when set. */
  zone?: string;
  /** AllocationFailed, ZonalAllocationFailed, OverconstrainedAllocationRequest… */
  code: string;
  message?: string;
}

/** The creation facts of a VM the stand-in created, which Azure keeps but the VM model does not show (custom data). */
export interface CreatedVmFacts {
  readonly priority: 'Regular' | 'Spot';
  readonly customData?: string;
  readonly adminUsername: string;
  readonly sshPublicKeys: string[];
  readonly osDiskId: string;
}

/** A resource created through the API and kept as its body: NSGs, VNets, public IPs, NICs, disks. */
export interface StoredResource {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly tags: Record<string, string>;
  readonly properties: Record<string, unknown>;
  readonly sku?: unknown;
}

/** What the sandbox does when the stand-in creates or deletes a VM (start or stop its simulated host). */
export interface VmLifecycleHooks {
  /** Awaited before the create succeeds; a throw fails it. */
  onVmCreated?: (vm: VirtualMachine, facts: CreatedVmFacts) => Promise<void>;
  /** Awaited before the delete succeeds. */
  onVmDeleted?: (vm: VirtualMachine) => Promise<void>;
}

const DEFAULT_LIMITS: QuotaLimits = { regional: 350, lowPriority: 350, families: {}, defaultFamily: 100 };

export class CapacityControls {
  private readonly limits = new Map<string, QuotaLimits>();
  restrictions: SkuRestriction[] = [];
  createFailures: CreateFailure[] = [];
  /** Keyed by the VM's lower-cased id. */
  readonly createdVms = new Map<string, CreatedVmFacts>();
  /** Keyed by the resource's lower-cased id. */
  readonly resources = new Map<string, StoredResource>();
  readonly operations = new ProvisioningOperations();
  /** Marketplace terms each subscription accepted (marketplace.ts). */
  readonly terms = new MarketplaceTerms();
  hooks: VmLifecycleHooks = {};
  private nextAddress = 10;

  /** A loopback address for a new public IP, as Azure allocates a static one when it is created. */
  allocatePublicAddress(): string {
    const n = this.nextAddress++;
    return `127.0.${1 + Math.floor(n / 250)}.${n % 250}`;
  }

  setQuota(location: string, changes: Partial<QuotaLimits>): void {
    const current = this.quotaOf(location);
    this.limits.set(location.toLowerCase(), { ...current, ...changes, families: { ...current.families, ...changes.families } });
  }

  quotaOf(location: string): QuotaLimits {
    return this.limits.get(location.toLowerCase()) ?? { ...DEFAULT_LIMITS, families: {} };
  }

  familyLimit(location: string, family: string): number {
    const limits = this.quotaOf(location);
    const match = Object.entries(limits.families).find(([name]) => name.toLowerCase() === family.toLowerCase());
    return match ? match[1] : limits.defaultFamily;
  }

  restrict(restriction: SkuRestriction): void {
    this.restrictions.push(restriction);
  }

  failNextCreate(failure: CreateFailure): void {
    this.createFailures.push(failure);
  }

  takeCreateFailure(vmName: string, zone?: string): CreateFailure | undefined {
    const index = this.createFailures.findIndex(
      (f) => (f.vmName === undefined || f.vmName.toLowerCase() === vmName.toLowerCase()) && (f.zone === undefined || f.zone === zone),
    );
    return index < 0 ? undefined : this.createFailures.splice(index, 1)[0];
  }

  restrictionsOf(location: string, size: string): SkuRestriction[] {
    return this.restrictions.filter(
      (r) => r.location.toLowerCase() === location.toLowerCase() && r.size.toLowerCase() === size.toLowerCase(),
    );
  }

  isSpot(vm: VirtualMachine): boolean {
    return this.createdVms.get(vm.id.toLowerCase())?.priority === 'Spot';
  }

  /** vCPUs in use in a location: regional (regular VMs), low-priority (spot VMs), and per family. */
  usage(
    state: ArmState,
    subscriptionId: string,
    location: string,
  ): { regional: number; lowPriority: number; families: Map<string, number> } {
    const result = { regional: 0, lowPriority: 0, families: new Map<string, number>() };
    for (const vm of state.vmsOf(subscriptionId)) {
      if (vm.location.toLowerCase() !== location.toLowerCase() || vm.powerState === 'deallocated') continue;
      if (this.isSpot(vm)) {
        result.lowPriority += vm.size.vCPUs;
      } else {
        result.regional += vm.size.vCPUs;
        const family = vm.size.family.toLowerCase();
        result.families.set(family, (result.families.get(family) ?? 0) + vm.size.vCPUs);
      }
    }
    return result;
  }
}

/** The `restrictions` of a SKU as the SKUs API lists them. */
export function restrictionBodies(restrictions: readonly SkuRestriction[], location: string): object[] {
  return restrictions.map((r) =>
    r.zones
      ? {
          type: 'Zone',
          values: [location],
          restrictionInfo: { locations: [location], zones: r.zones },
          reasonCode: r.reasonCode ?? 'NotAvailableForSubscription',
        }
      : {
          type: 'Location',
          values: [location],
          restrictionInfo: { locations: [location] },
          reasonCode: r.reasonCode ?? 'NotAvailableForSubscription',
        },
  );
}
