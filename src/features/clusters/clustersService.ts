import * as vscode from 'vscode';
import type { ArmClients } from '../../azure/armClients';
import type { AccountHost, AzureAccount, SessionMode } from '../../azure/azureAccount';
import type { AzureSettings } from '../../azure/azureEnvironment';
import type { ClusterInventory, InventoryChange } from '../../azure/clusterInventory';
import type { PowerAction } from '../../azure/powerActions';
import type { ScaleSetInventory } from '../../azure/scaleSetInventory';
import type { AzureTenant } from '../../azure/subscriptions';
import type { AzureVm } from '../../azure/virtualMachine';
import { azureLayer } from '../azureLayer';
import { Disposable } from '../../common/disposable';
import { errorMessage, UserCancelledError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { SettingKey } from '../settingDefinitions';
import { settings, settingsChanged, updateSetting } from '../settings';

const SETTINGS_THAT_RECONNECT: readonly SettingKey[] = [
  'cloud',
  'resourceManagerEndpoint',
  'authorityHost',
  'caCertificate',
  'credential',
  'tenant',
];

/** Where the Clusters view stands with Azure. */
export type AzureConnection =
  | { readonly status: 'idle' }
  | { readonly status: 'connecting' }
  | { readonly status: 'signedOut' }
  | { readonly status: 'signedIn'; readonly inventory: ClusterInventory }
  | { readonly status: 'failed'; readonly message: string };

/**
 * The VS Code side of the Azure layer: reads the settings, gives the account VS Code's sign-in,
 * prompts and memory, keeps the context keys, and owns the VM inventory the Clusters view shows.
 * The Azure SDK is loaded on first use (the view opening, or a sign-in), not at activation.
 */
export class ClustersService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<InventoryChange>());
  /** Fired when what the Clusters view shows changed (all of it, a subscription, or one VM). */
  readonly onDidChange = this.changed.event;
  private current: AzureConnection = { status: 'idle' };
  private account?: AzureAccount;
  private inventorySubscription?: { dispose(): void };
  /** The GPU scale sets of the subscriptions shown, listed when a subscription first shows. */
  private scaleSetInventory?: ScaleSetInventory;
  private clients?: ArmClients;
  private connecting?: Promise<void>;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Logger,
  ) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        const reconnect = settingsChanged(event, ...SETTINGS_THAT_RECONNECT);
        if (reconnect) this.account = undefined;
        // Until the view first shows, nothing is connected, and nothing needs to be again.
        if ((reconnect || settingsChanged(event, 'subscriptions')) && this.current.status !== 'idle') {
          void this.reconnect();
        }
        if (settingsChanged(event, 'showNonGpuVms')) {
          this.updateNonGpuContext();
          this.changed.fire({ scope: 'all' });
        }
      }),
    );
    this.register(
      vscode.authentication.onDidChangeSessions((event) => {
        if (event.provider.id === this.authProviderId() && settings.credential() === 'vscode' && this.current.status !== 'idle') {
          void this.reconnect();
        }
      }),
    );
    this.register({ dispose: () => this.disconnectInventory() });
    this.updateNonGpuContext();
  }

  get connection(): AzureConnection {
    return this.current;
  }

  /** Connects without prompting, the first time the view asks. */
  ensureStarted(): void {
    if (this.current.status === 'idle') void this.reconnect();
  }

  /** Signs in again (silently) with the current settings and lists everything anew. */
  reconnect(): Promise<void> {
    const run = async (): Promise<void> => {
      this.setConnection({ status: 'connecting' });
      try {
        const clients = await this.getAccount().connect();
        if (!clients) {
          this.setConnection({ status: 'signedOut' });
          return;
        }
        await this.useClients(clients);
      } catch (error) {
        this.log.error('Connecting to Azure failed', error);
        this.setConnection(this.problemConnection(error));
      }
    };
    this.connecting = (this.connecting ?? Promise.resolve()).then(run);
    return this.connecting;
  }

  /** Interactive sign-in; after Azure refused the current sign-in, asks VS Code for a new session. */
  async signIn(): Promise<void> {
    const account = this.getAccount();
    const refused =
      this.current.status === 'signedIn' &&
      this.current.inventory.state.status === 'failed' &&
      this.current.inventory.state.problem.kind === 'signIn';
    const clients = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Signing in to Azure…' },
      () => (refused ? account.renewSignIn() : account.signIn()),
    );
    await this.useClients(clients);
  }

  async signOut(): Promise<void> {
    await this.getAccount().signOut();
    this.disconnectInventory();
    this.setConnection({ status: 'signedOut' });
  }

  /** Lets the user choose the tenant; lists its subscriptions. Throws UserCancelledError when dismissed. */
  async selectTenant(): Promise<AzureTenant> {
    const clients = this.requireInventory().clients;
    if (!clients) throw new Error('Sign in to Azure first.');
    const account = this.getAccount();
    const tenant = await account.chooseTenant(clients);
    if (!tenant) throw new UserCancelledError();
    // The setting wins over the remembered choice: change the setting too.
    if (settings.tenant()) await updateSetting('tenant', tenant.tenantId);
    await this.useClients(await account.signIn());
    return tenant;
  }

  refresh(): Promise<void> {
    const inventory = this.current.status === 'signedIn' ? this.current.inventory : undefined;
    this.scaleSetInventory?.forget();
    if (inventory) return withViewProgress(() => inventory.refresh());
    if (this.current.status === 'failed') return this.reconnect();
    return Promise.resolve();
  }

  retrySubscription(subscriptionId: string): Promise<void> {
    const inventory = this.requireInventory();
    return withViewProgress(() => inventory.refreshSubscription(subscriptionId));
  }

  /** Runs a power operation; resolves to the VM as read after it (its state unknown, and polled, when the read failed). */
  runAction(vm: AzureVm, action: PowerAction): Promise<AzureVm> {
    return this.requireInventory().runAction(vm, action);
  }

  /** A listed VM, or a listed scale set instance as a VM (for Copy IP and SSH on the instance's node). */
  findVm(vmId: string): AzureVm | undefined {
    if (this.current.status !== 'signedIn') return undefined;
    return this.current.inventory.findVm(vmId) ?? this.scaleSetInventory?.findInstance(vmId)?.instance.vm;
  }

  /** The scale sets, once signed in. */
  get scaleSets(): ScaleSetInventory | undefined {
    return this.current.status === 'signedIn' ? this.scaleSetInventory : undefined;
  }

  /** findVm, after the listing under way (if any) has settled. */
  async findVmWhenListed(vmId: string): Promise<AzureVm | undefined> {
    return this.findVm(vmId) ?? (this.current.status === 'signedIn' ? this.current.inventory.findVmWhenListed(vmId) : undefined);
  }

  pendingAction(vmId: string): PowerAction | undefined {
    return this.current.status === 'signedIn' ? this.current.inventory.pendingAction(vmId) : undefined;
  }

  /** The VMs the view would show, for the palette's pickers. */
  visibleVms(): AzureVm[] {
    if (this.current.status !== 'signedIn') return [];
    return this.current.inventory.allVms().filter((vm) => vm.gpus || settings.showNonGpuVms());
  }

  /** The Azure layer's settings. */
  private azureSettings(): AzureSettings {
    return {
      cloud: settings.cloud(),
      resourceManagerEndpoint: settings.resourceManagerEndpoint(),
      authorityHost: settings.authorityHost(),
      caCertificate: expandHome(settings.caCertificate()),
      credential: settings.credential(),
      tenant: settings.tenant(),
      subscriptions: settings.subscriptions(),
    };
  }

  private async useClients(clients: ArmClients): Promise<void> {
    this.disconnectInventory();
    this.clients = clients;
    const inventory = new (azureLayer().ClusterInventory)({ log: this.log });
    this.inventorySubscription = inventory.onDidChange((change) => this.changed.fire(change));
    const scaleSets = new (azureLayer().ScaleSetInventory)({ log: this.log });
    scaleSets.connect(clients);
    scaleSets.onDidChange((subscriptionId) => this.changed.fire({ scope: 'subscription', subscriptionId }));
    this.scaleSetInventory = scaleSets;
    this.setConnection({ status: 'signedIn', inventory });
    await withViewProgress(() => inventory.connect(clients, settings.subscriptions()));
  }

  private requireInventory(): ClusterInventory {
    if (this.current.status !== 'signedIn') throw new Error('Sign in to Azure first.');
    return this.current.inventory;
  }

  private disconnectInventory(): void {
    this.inventorySubscription?.dispose();
    this.inventorySubscription = undefined;
    if (this.current.status === 'signedIn') this.current.inventory.dispose();
    this.scaleSetInventory?.dispose();
    this.scaleSetInventory = undefined;
    this.clients?.dispose();
    this.clients = undefined;
  }

  private setConnection(connection: AzureConnection): void {
    if (connection.status !== 'signedIn') this.disconnectInventory();
    this.current = connection;
    void vscode.commands.executeCommand('setContext', 'azurePytorch.signedIn', connection.status === 'signedIn');
    this.changed.fire({ scope: 'all' });
  }

  private problemConnection(error: unknown): AzureConnection {
    const { describeAzureError, formatAzureProblem } = azureLayer();
    const problem = describeAzureError(error);
    return problem.kind === 'signIn' ? { status: 'signedOut' } : { status: 'failed', message: formatAzureProblem(problem) };
  }

  private updateNonGpuContext(): void {
    void vscode.commands.executeCommand('setContext', 'azurePytorch.showingNonGpuVms', settings.showNonGpuVms());
  }

  private getAccount(): AzureAccount {
    this.account ??= new (azureLayer().AzureAccount)(this.accountHost());
    return this.account;
  }

  private authProviderId(): string {
    // Sovereign and custom clouds sign in through VS Code's sovereign-cloud provider.
    return settings.cloud() === 'AzureCloud' ? 'microsoft' : 'microsoft-sovereign-cloud';
  }

  private accountHost(): AccountHost {
    const memory = this.context.globalState;
    return {
      settings: () => this.azureSettings(),
      environmentVariables: () => process.env,
      session: (scopes, mode) => this.session(scopes, mode),
      pickTenant: (tenants) => pickTenant(tenants),
      memory: {
        get: (key) => memory.get<string>(key),
        set: (key, value) => Promise.resolve(memory.update(key, value)),
      },
    };
  }

  private async session(
    scopes: string[],
    mode: SessionMode,
  ): Promise<{ accessToken: string; account: { id: string; label: string } } | undefined> {
    const provider = this.authProviderId();
    switch (mode) {
      case 'silent':
        return vscode.authentication.getSession(provider, scopes, { silent: true });
      case 'interactive':
        return dismissedAsCancel(vscode.authentication.getSession(provider, scopes, { createIfNone: true }));
      case 'renew':
        return dismissedAsCancel(
          vscode.authentication.getSession(provider, scopes, {
            forceNewSession: { detail: 'Azure did not accept the current sign-in. Sign in again to keep using your VMs.' },
          }),
        );
    }
  }
}

/**
 * VS Code's interactive sign-in, whose dialog (or the account's sign-in page) the user may close:
 * that is the user's cancel. VS Code tells it only by its message ("User did not consent…", "Cancelled").
 */
async function dismissedAsCancel<T>(signIn: Thenable<T>): Promise<T> {
  try {
    return await signIn;
  } catch (error) {
    if (error instanceof vscode.CancellationError || /cancel|did not consent/i.test(errorMessage(error))) {
      throw new UserCancelledError('Sign-in to Azure was cancelled.', { cause: error });
    }
    throw error;
  }
}

/** Shows the Clusters view's progress bar while `work` runs. */
function withViewProgress<T>(work: () => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: { viewId: 'azurePytorch.clusters' } }, work));
}

async function pickTenant(tenants: readonly AzureTenant[]): Promise<AzureTenant | undefined> {
  const picked = await vscode.window.showQuickPick(
    tenants.map((tenant) => ({ label: tenant.displayName, description: tenant.defaultDomain, detail: tenant.tenantId, tenant })),
    {
      title: 'Azure PyTorch: Select Tenant',
      placeHolder: 'The Azure tenant (directory) whose subscriptions to show',
      ignoreFocusOut: true,
    },
  );
  return picked?.tenant;
}

function expandHome(path: string): string {
  return path.startsWith('~/') ? `${process.env.HOME ?? process.env.USERPROFILE ?? ''}${path.slice(1)}` : path;
}
