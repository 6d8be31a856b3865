import { silentLogger, type Logger } from '../common/logger';
import type { ArmClients } from './armClients';
import { AzureTimeoutError, describeAzureError, type AzureProblem } from './azureErrors';
import { mapConcurrently, timeoutSignal } from '../common/concurrency';
import { getVm, getVmStatus, listSubscriptionVms, type VmRef } from './machines';
import { runPowerAction, type PowerAction } from './powerActions';
import { isUnsettled } from './powerState';
import { SkuCatalog } from './skuCatalog';
import { listSubscriptions, type AzureSubscription } from './subscriptions';
import type { AzureVm } from './virtualMachine';

export type SubscriptionListing =
  | { readonly status: 'loading' }
  | { readonly status: 'loaded'; readonly vms: readonly AzureVm[]; readonly warnings: readonly string[] }
  | { readonly status: 'failed'; readonly problem: AzureProblem };

export interface SubscriptionEntry {
  readonly subscription: AzureSubscription;
  readonly listing: SubscriptionListing;
}

export type InventoryState =
  | { readonly status: 'disconnected' }
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly subscriptions: readonly SubscriptionEntry[] }
  | { readonly status: 'failed'; readonly problem: AzureProblem };

/** What changed: everything, one subscription's VMs, or one VM. */
export type InventoryChange =
  | { readonly scope: 'all' }
  | { readonly scope: 'subscription'; readonly subscriptionId: string }
  | { readonly scope: 'vm'; readonly vmId: string };

export interface InventoryOptions {
  /** Subscriptions listed at the same time. */
  readonly concurrency?: number;
  /** Time one subscription's listing may take before it shows as timed out. */
  readonly subscriptionTimeoutMs?: number;
  /** How often VMs in a transitional state (starting, stopping…) or an unknown one are polled until they settle. */
  readonly transitionPollMs?: number;
  readonly log?: Logger;
}

/**
 * The Azure VMs of the signed-in account, subscription by subscription, kept up to date: a
 * subscription that fails shows its problem while the others list; power operations mark their VM
 * busy and refresh just that VM; VMs in transition or of unknown state are polled until they settle.
 */
export class ClusterInventory {
  private armClients?: ArmClients;
  private selected: readonly string[] = [];
  private readonly skus = new SkuCatalog();
  private current: InventoryState = { status: 'disconnected' };
  private readonly pending = new Map<string, PowerAction>();
  /** What the last listing found, so that commands on the view's nodes still work while it is listed again. */
  private listedBefore: AzureVm[] = [];
  private readonly listeners = new Set<(change: InventoryChange) => void>();
  private generation = 0;
  /** Aborts listings; a new listing replaces the one in flight. */
  private abort = new AbortController();
  /** Aborts power operations and VM reads, which a new listing must not cut short: only dispose does. */
  private readonly lifetime = new AbortController();
  private pollTimer?: NodeJS.Timeout;
  private readonly options: Required<InventoryOptions>;

  constructor(options: InventoryOptions = {}) {
    this.options = {
      concurrency: options.concurrency ?? 20,
      subscriptionTimeoutMs: options.subscriptionTimeoutMs ?? 60_000,
      transitionPollMs: options.transitionPollMs ?? 5_000,
      log: options.log ?? silentLogger,
    };
  }

  get state(): InventoryState {
    return this.current;
  }

  /** The clients of the account it lists for; undefined until connected. */
  get clients(): ArmClients | undefined {
    return this.armClients;
  }

  onDidChange(listener: (change: InventoryChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Uses these clients (a new sign-in, tenant or settings) and lists everything anew. */
  connect(clients: ArmClients, selectedSubscriptions: readonly string[]): Promise<void> {
    this.armClients = clients;
    this.selected = selectedSubscriptions;
    return this.refresh();
  }

  disconnect(): void {
    this.cancelInFlight();
    this.armClients = undefined;
    this.pending.clear();
    this.setState({ status: 'disconnected' });
  }

  /** Lists the subscriptions and, in parallel, the VMs of each. Never throws: problems become state. */
  async refresh(): Promise<void> {
    const clients = this.armClients;
    if (!clients) return;
    const generation = this.cancelInFlight();
    const signal = this.abort.signal;
    const listed = this.allVms();
    // A listing cut short by this one found only part: what it lacks stays findable from before.
    if (listed.length > 0)
      this.listedBefore = this.isListing()
        ? [...listed, ...this.listedBefore.filter((vm) => !listed.some((each) => each.id === vm.id))]
        : listed;
    this.setState({ status: 'loading' });
    let subscriptions: AzureSubscription[];
    try {
      subscriptions = await listSubscriptions(clients, this.selected, timeoutSignal(this.options.subscriptionTimeoutMs, signal));
    } catch (error) {
      if (generation !== this.generation) return;
      this.options.log.error('Listing subscriptions failed', error);
      this.setState({ status: 'failed', problem: describeAzureError(error) });
      return;
    }
    if (generation !== this.generation) return;
    this.setState({
      status: 'ready',
      subscriptions: subscriptions.map((subscription) => ({ subscription, listing: { status: 'loading' } })),
    });
    await mapConcurrently(subscriptions, this.options.concurrency, (subscription) =>
      this.listSubscription(clients, subscription.subscriptionId, generation, signal),
    );
  }

  /** Lists one subscription's VMs again (the Retry action of a failed subscription). */
  async refreshSubscription(subscriptionId: string): Promise<void> {
    const clients = this.armClients;
    if (!clients || !this.entry(subscriptionId)) return;
    this.updateListing(subscriptionId, { status: 'loading' });
    await this.listSubscription(clients, subscriptionId, this.generation, this.abort.signal);
  }

  /** Reads one VM afresh and replaces it; throws what Azure answered. */
  async refreshVm(ref: VmRef): Promise<AzureVm> {
    const clients = this.requireClients();
    const vm = await getVm(clients, this.skus, ref, timeoutSignal(this.options.subscriptionTimeoutMs, this.lifetime.signal));
    this.replaceVm(vm);
    return vm;
  }

  /**
   * Runs a power operation on a VM: the VM shows it as pending until Azure finishes, then is read
   * afresh. Throws Azure's reason when the operation fails. What the operation did and reading the
   * VM after it are separate: when the read fails, the operation's outcome stands, and the VM shows
   * an unknown state, polled until it is read.
   */
  async runAction(vm: AzureVm, action: PowerAction): Promise<AzureVm> {
    const clients = this.requireClients();
    const key = vm.id.toLowerCase();
    const running = this.pending.get(key);
    if (running) throw new Error(`${vm.name} is busy: an operation (${running}) is still running on it.`);
    this.pending.set(key, action);
    this.emit({ scope: 'vm', vmId: vm.id });
    let failure: { error: unknown } | undefined;
    try {
      await runPowerAction(clients, vm, action, this.lifetime.signal);
    } catch (error) {
      failure = { error };
    }
    this.pending.delete(key);
    const read = await this.refreshVm(vm).catch((readError: unknown) => {
      this.options.log.warn(
        `Reading ${vm.name} after ${failure ? 'a failed' : 'its'} ${action} failed; it is polled until read`,
        readError,
      );
      return this.markUnknown(vm);
    });
    this.emit({ scope: 'vm', vmId: vm.id });
    if (failure) throw failure.error;
    return read;
  }

  /** Shows a VM whose state could not be read as unknown, which polling reads until it can. */
  private markUnknown(vm: AzureVm): AzureVm {
    const unknown: AzureVm = { ...(this.findVm(vm.id) ?? vm), status: { powerState: 'unknown' } };
    this.replaceVm(unknown);
    return unknown;
  }

  pendingAction(vmId: string): PowerAction | undefined {
    return this.pending.get(vmId.toLowerCase());
  }

  /** A listed VM; while a listing is under way, also one the listing before found. */
  findVm(vmId: string): AzureVm | undefined {
    const matches = (vm: AzureVm): boolean => vm.id.toLowerCase() === vmId.toLowerCase();
    return this.allVms().find(matches) ?? (this.isListing() ? this.listedBefore.find(matches) : undefined);
  }

  /** A VM by id once no listing is under way (at most `timeoutMs`): a command on a node can wait out a refresh. */
  async findVmWhenListed(vmId: string, timeoutMs = 60_000): Promise<AzureVm | undefined> {
    if (this.isListing()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const subscription = this.onDidChange(() => {
          if (!this.isListing()) done();
        });
        function done(): void {
          clearTimeout(timer);
          subscription.dispose();
          resolve();
        }
      });
    }
    return this.findVm(vmId);
  }

  private isListing(): boolean {
    return (
      this.current.status === 'loading' ||
      (this.current.status === 'ready' && this.current.subscriptions.some((entry) => entry.listing.status === 'loading'))
    );
  }

  allVms(): AzureVm[] {
    if (this.current.status !== 'ready') return [];
    return this.current.subscriptions.flatMap((entry) => (entry.listing.status === 'loaded' ? entry.listing.vms : []));
  }

  dispose(): void {
    this.cancelInFlight();
    this.lifetime.abort();
    this.listeners.clear();
  }

  private async listSubscription(clients: ArmClients, subscriptionId: string, generation: number, parent: AbortSignal): Promise<void> {
    const timeoutMs = this.options.subscriptionTimeoutMs;
    const signal = timeoutSignal(timeoutMs, parent);
    let listing: SubscriptionListing;
    try {
      const { vms, warnings } = await listSubscriptionVms(clients, this.skus, subscriptionId, signal);
      for (const warning of warnings) this.options.log.warn(warning);
      listing = { status: 'loaded', vms, warnings };
    } catch (error) {
      const timedOut = signal.aborted && !parent.aborted;
      const reason = timedOut ? new AzureTimeoutError(`Listing the VMs took longer than ${Math.round(timeoutMs / 1000)} s.`) : error;
      this.options.log.error(`Listing VMs of subscription ${subscriptionId} failed`, error);
      listing = { status: 'failed', problem: describeAzureError(reason) };
    }
    if (generation !== this.generation) return;
    this.updateListing(subscriptionId, listing);
  }

  private entry(subscriptionId: string): SubscriptionEntry | undefined {
    return this.current.status === 'ready'
      ? this.current.subscriptions.find((e) => e.subscription.subscriptionId === subscriptionId)
      : undefined;
  }

  private updateListing(subscriptionId: string, listing: SubscriptionListing): void {
    if (this.current.status !== 'ready') return;
    const subscriptions = this.current.subscriptions.map((e) => (e.subscription.subscriptionId === subscriptionId ? { ...e, listing } : e));
    this.current = { status: 'ready', subscriptions };
    this.emit({ scope: 'subscription', subscriptionId });
    this.schedulePolling();
  }

  private replaceVm(vm: AzureVm): void {
    if (this.current.status !== 'ready') return;
    const key = vm.id.toLowerCase();
    let found = false;
    const subscriptions = this.current.subscriptions.map((entry) => {
      if (entry.listing.status !== 'loaded' || entry.subscription.subscriptionId.toLowerCase() !== vm.subscriptionId.toLowerCase())
        return entry;
      const vms = entry.listing.vms.map((old) => {
        if (old.id.toLowerCase() !== key) return old;
        found = true;
        return vm;
      });
      return { ...entry, listing: { ...entry.listing, vms } };
    });
    if (!found) return;
    this.current = { status: 'ready', subscriptions };
    this.emit({ scope: 'vm', vmId: vm.id });
    this.schedulePolling();
  }

  /** Polls VMs in transition or of unknown state that no operation of ours is watching, until they settle. */
  private schedulePolling(): void {
    if (this.pollTimer || !this.armClients) return;
    if (!this.allVms().some((vm) => this.needsPolling(vm))) return;
    this.pollTimer = setTimeout(() => void this.pollUnsettled(), this.options.transitionPollMs);
    this.pollTimer.unref?.();
  }

  private needsPolling(vm: AzureVm): boolean {
    return isUnsettled(vm.status.powerState) && !this.pending.has(vm.id.toLowerCase());
  }

  private async pollUnsettled(): Promise<void> {
    this.pollTimer = undefined;
    const clients = this.armClients;
    if (!clients) return;
    const generation = this.generation;
    const vms = this.allVms().filter((vm) => this.needsPolling(vm));
    await mapConcurrently(vms, this.options.concurrency, async (vm) => {
      try {
        const status = await getVmStatus(clients, vm, timeoutSignal(this.options.subscriptionTimeoutMs, this.lifetime.signal));
        if (generation !== this.generation) return;
        if (isUnsettled(status.powerState)) {
          if (status.powerState !== vm.status.powerState) this.replaceVm({ ...vm, status });
        } else {
          // The state is read: it shows, even when the rest of the VM (its NICs, say) cannot be.
          await this.refreshVm(vm).catch((error: unknown) => {
            this.options.log.warn(`Reading ${vm.name} in full failed; its state is shown`, error);
            this.replaceVm({ ...vm, status });
          });
        }
      } catch (error) {
        this.options.log.warn(`Polling ${vm.name} failed`, error);
      }
    });
    if (generation === this.generation) this.schedulePolling();
  }

  private requireClients(): ArmClients {
    if (!this.armClients) throw new Error('Not signed in to Azure.');
    return this.armClients;
  }

  private cancelInFlight(): number {
    this.abort.abort();
    this.abort = new AbortController();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    return ++this.generation;
  }

  private setState(state: InventoryState): void {
    this.current = state;
    this.emit({ scope: 'all' });
  }

  private emit(change: InventoryChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.options.log.error('An inventory listener failed', error);
      }
    }
  }
}
