import { timeoutSignal } from '../common/concurrency';
import { silentLogger, type Logger } from '../common/logger';
import type { ArmClients } from './armClients';
import { AzureTimeoutError, describeAzureError, type AzureProblem } from './azureErrors';
import type { AzureScaleSet, ScaleSetAction, ScaleSetInstance } from './scaleSet';
import { getScaleSet, listSubscriptionScaleSets, runScaleSetAction, scaleOutQuotaShortfall, scaleScaleSet } from './scaleSets';
import { SkuCatalog } from './skuCatalog';

export type ScaleSetListing =
  | { readonly status: 'loading' }
  | { readonly status: 'loaded'; readonly scaleSets: readonly AzureScaleSet[]; readonly warnings: readonly string[] }
  | { readonly status: 'failed'; readonly problem: AzureProblem };

/** What runs on a scale set or an instance: a power action, or scaling. */
export type ScaleSetOperation = ScaleSetAction | 'scale';

export interface ScaleSetInventoryOptions {
  /** Time one subscription's listing may take before it shows as timed out. */
  readonly timeoutMs?: number;
  readonly log?: Logger;
}

/**
 * The GPU scale sets of each subscription, listed when first asked for (a subscription shown) and
 * kept: operations on a set or on some of its instances mark them busy until Azure finishes, then
 * the set is read afresh. Never throws from a listing: problems become the listing's state.
 */
export class ScaleSetInventory {
  private armClients?: ArmClients;
  private readonly skus = new SkuCatalog();
  private readonly listings = new Map<string, ScaleSetListing>();
  /** Busy sets and instances, by lower-cased resource id. */
  private readonly pending = new Map<string, ScaleSetOperation>();
  private readonly listeners = new Set<(subscriptionId: string) => void>();
  private generation = 0;
  /** Aborts listings; forgetting them (a refresh) starts anew. */
  private listingAbort = new AbortController();
  /** Aborts operations and reads after them, which a refresh must not cut short: only dispose does. */
  private readonly lifetime = new AbortController();
  private readonly options: Required<ScaleSetInventoryOptions>;

  constructor(options: ScaleSetInventoryOptions = {}) {
    this.options = { timeoutMs: options.timeoutMs ?? 60_000, log: options.log ?? silentLogger };
  }

  onDidChange(listener: (subscriptionId: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Uses these clients from now on; what was listed with others is forgotten. */
  connect(clients: ArmClients | undefined): void {
    if (clients === this.armClients) return;
    this.armClients = clients;
    this.forget();
  }

  /** Forgets every listing (a refresh of the whole view); the next ask lists again. */
  forget(): void {
    this.generation++;
    this.listingAbort.abort();
    this.listingAbort = new AbortController();
    const subscriptions = [...this.listings.keys()];
    this.listings.clear();
    for (const subscriptionId of subscriptions) this.emit(subscriptionId);
  }

  /** The subscription's listing; starts it when there is none yet (undefined until connected). */
  listing(subscriptionId: string): ScaleSetListing | undefined {
    if (!this.armClients) return undefined;
    const known = this.listings.get(subscriptionId.toLowerCase());
    if (known) return known;
    void this.list(subscriptionId);
    return this.listings.get(subscriptionId.toLowerCase());
  }

  /** Lists a subscription's scale sets (again); resolves when done. */
  async list(subscriptionId: string): Promise<ScaleSetListing> {
    const clients = this.requireClients();
    const key = subscriptionId.toLowerCase();
    const generation = this.generation;
    this.setListing(subscriptionId, { status: 'loading' });
    const parent = this.listingAbort.signal;
    const signal = timeoutSignal(this.options.timeoutMs, parent);
    let listing: ScaleSetListing;
    try {
      const { scaleSets, warnings } = await listSubscriptionScaleSets(clients, this.skus, subscriptionId, signal);
      listing = { status: 'loaded', scaleSets, warnings };
    } catch (error) {
      const timedOut = signal.aborted && !parent.aborted;
      const reason = timedOut
        ? new AzureTimeoutError(`Listing the scale sets took longer than ${Math.round(this.options.timeoutMs / 1000)} s.`)
        : error;
      this.options.log.error(`Listing scale sets of subscription ${subscriptionId} failed`, error);
      listing = { status: 'failed', problem: describeAzureError(reason) };
    }
    if (generation === this.generation) this.setListing(subscriptionId, listing);
    return this.listings.get(key) ?? listing;
  }

  /** Every listed scale set. */
  allScaleSets(): AzureScaleSet[] {
    return [...this.listings.values()].flatMap((listing) => (listing.status === 'loaded' ? listing.scaleSets : []));
  }

  findScaleSet(id: string): AzureScaleSet | undefined {
    return this.allScaleSets().find((set) => set.id.toLowerCase() === id.toLowerCase());
  }

  /** The listed instance whose VM has this id, with its set. */
  findInstance(vmId: string): { scaleSet: AzureScaleSet; instance: ScaleSetInstance } | undefined {
    for (const scaleSet of this.allScaleSets()) {
      const instance = scaleSet.instances.find((each) => each.vm.id.toLowerCase() === vmId.toLowerCase());
      if (instance) return { scaleSet, instance };
    }
    return undefined;
  }

  /** What runs on a set (by its id) or an instance (by its VM's id); an instance shows its set's too. */
  pendingOperation(id: string): ScaleSetOperation | undefined {
    const own = this.pending.get(id.toLowerCase());
    if (own) return own;
    const owner = this.findInstance(id)?.scaleSet;
    return owner ? this.pending.get(owner.id.toLowerCase()) : undefined;
  }

  /** Starts or deallocates some instances (or all), then reads the set afresh. Throws Azure's reason. */
  runAction(scaleSet: AzureScaleSet, action: ScaleSetAction, instances?: readonly ScaleSetInstance[]): Promise<AzureScaleSet> {
    const keys = instances ? instances.map((instance) => instance.vm.id) : [scaleSet.id];
    return this.operate(scaleSet, action, keys, (clients, signal) =>
      runScaleSetAction(
        clients,
        scaleSet,
        action,
        instances?.map((instance) => instance.instanceId),
        signal,
      ),
    );
  }

  /** Sets the instance count, then reads the set afresh. Throws Azure's reason (a quota, say). */
  scale(scaleSet: AzureScaleSet, capacity: number): Promise<AzureScaleSet> {
    return this.operate(scaleSet, 'scale', [scaleSet.id], (clients, signal) => scaleScaleSet(clients, scaleSet, capacity, signal));
  }

  /** Why scaling out to `capacity` would not fit the vCPU quota; undefined when it fits or cannot be told. */
  quotaShortfall(scaleSet: AzureScaleSet, capacity: number): Promise<string | undefined> {
    return scaleOutQuotaShortfall(this.requireClients(), scaleSet, capacity, timeoutSignal(this.options.timeoutMs, this.lifetime.signal));
  }

  dispose(): void {
    this.listingAbort.abort();
    this.lifetime.abort();
    this.listeners.clear();
  }

  private async operate(
    scaleSet: AzureScaleSet,
    operation: ScaleSetOperation,
    ids: readonly string[],
    work: (clients: ArmClients, signal: AbortSignal) => Promise<void>,
  ): Promise<AzureScaleSet> {
    const clients = this.requireClients();
    const busy = [scaleSet.id, ...ids].map((id) => this.pending.get(id.toLowerCase())).find((running) => running !== undefined);
    if (busy) throw new Error(`${scaleSet.name} is busy: an operation (${busy}) is still running on it.`);
    const keys = ids.map((id) => id.toLowerCase());
    for (const key of keys) this.pending.set(key, operation);
    this.emit(scaleSet.subscriptionId);
    const signal = this.lifetime.signal;
    let failure: { error: unknown } | undefined;
    try {
      await work(clients, signal);
    } catch (error) {
      failure = { error };
    }
    for (const key of keys) this.pending.delete(key);
    const read = await getScaleSet(clients, this.skus, scaleSet, timeoutSignal(this.options.timeoutMs, signal)).catch((error: unknown) => {
      this.options.log.warn(`Reading scale set ${scaleSet.name} after ${operation} failed`, error);
      return undefined;
    });
    if (read) this.replace(read);
    else this.emit(scaleSet.subscriptionId);
    if (failure) throw failure.error;
    return read ?? scaleSet;
  }

  private replace(scaleSet: AzureScaleSet): void {
    const key = scaleSet.subscriptionId.toLowerCase();
    const listing = this.listings.get(key);
    if (listing?.status !== 'loaded') return;
    const scaleSets = listing.scaleSets.map((old) => (old.id.toLowerCase() === scaleSet.id.toLowerCase() ? scaleSet : old));
    this.setListing(scaleSet.subscriptionId, { ...listing, scaleSets });
  }

  private setListing(subscriptionId: string, listing: ScaleSetListing): void {
    this.listings.set(subscriptionId.toLowerCase(), listing);
    this.emit(subscriptionId);
  }

  private requireClients(): ArmClients {
    if (!this.armClients) throw new Error('Not signed in to Azure.');
    return this.armClients;
  }

  private emit(subscriptionId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(subscriptionId);
      } catch (error) {
        this.options.log.error('A scale set listener failed', error);
      }
    }
  }
}
