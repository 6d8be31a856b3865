import { ArmClients, type ArmClientOptions } from './armClients';
import { azureCliCredentialSource } from './azureCliCredential';
import { resolveAzureEnvironment, type AzureEnvironment, type AzureSettings } from './azureEnvironment';
import { SignInRequiredError } from './azureErrors';
import type { CredentialSource } from './credentialSource';
import { environmentCredentialSource } from './environmentCredential';
import { sessionCredentialSource, tenantScope, type AuthSession } from './sessionCredential';
import { listTenants, type AzureTenant } from './subscriptions';

/** How the editor's own sign-in is asked: silently, interactively, or for a new session after Azure refused one. */
export type SessionMode = 'silent' | 'interactive' | 'renew';

/** What the account needs from its host (VS Code, or a test): settings, sign-in, a prompt, memory. */
export interface AccountHost {
  settings(): AzureSettings;
  environmentVariables(): Readonly<Record<string, string | undefined>>;
  /** The editor's Microsoft sign-in for these scopes; silent never prompts. */
  session(scopes: string[], mode: SessionMode): Promise<AuthSession | undefined>;
  /** Lets the user choose among several tenants; undefined when dismissed. */
  pickTenant(tenants: readonly AzureTenant[]): Promise<AzureTenant | undefined>;
  /** Small persistent memory (the chosen tenant, signed-out flag). */
  readonly memory: {
    get(key: string): string | undefined;
    set(key: string, value: string | undefined): Promise<void>;
  };
}

const TENANT_KEY = 'azure.tenant';
const SIGNED_OUT_KEY = 'azure.signedOut';

/**
 * Who the extension is signed in to Azure as, and the SDK clients for it. Three credentials:
 * VS Code's Microsoft sign-in (tenant chosen once, remembered), the Azure CLI, or a service
 * principal from the environment. Never a credential that probes the instance-metadata address.
 */
export class AzureAccount {
  constructor(
    private readonly host: AccountHost,
    private readonly clientOptions: ArmClientOptions = {},
  ) {}

  /** Clients for the account already signed in, without prompting; undefined when signed out. */
  async connect(): Promise<ArmClients | undefined> {
    if (this.host.memory.get(SIGNED_OUT_KEY) === 'true') return undefined;
    const settings = this.host.settings();
    const environment = resolveAzureEnvironment(settings);
    switch (settings.credential) {
      case 'environment':
        return new ArmClients(environment, environmentCredentialSource(environment, this.host.environmentVariables()), this.clientOptions);
      case 'azureCli':
        return new ArmClients(environment, azureCliCredentialSource(this.tenantId(settings)), this.clientOptions);
      case 'vscode': {
        const tenantId = this.tenantId(settings);
        const session = await this.host.session(this.scopes(environment, tenantId), 'silent');
        return session ? this.sessionClients(environment, tenantId, session) : undefined;
      }
    }
  }

  /**
   * Signs in, prompting where the credential needs it: VS Code's sign-in, then the tenant when the
   * account has several and none was chosen before. Throws SignInRequiredError when it cannot.
   */
  async signIn(): Promise<ArmClients> {
    await this.host.memory.set(SIGNED_OUT_KEY, undefined);
    const settings = this.host.settings();
    const environment = resolveAzureEnvironment(settings);
    if (settings.credential !== 'vscode') {
      const clients = await this.connect();
      if (!clients) throw new SignInRequiredError('Could not sign in to Azure.');
      return clients;
    }
    let tenantId = this.tenantId(settings);
    const home = await this.host.session(this.scopes(environment, tenantId), 'interactive');
    if (!home) throw new SignInRequiredError('Sign-in to Azure was cancelled.');
    if (!tenantId) {
      const tenant = await this.chooseTenant(this.sessionClients(environment, undefined, home), false);
      tenantId = tenant?.tenantId;
    }
    const session = tenantId ? await this.host.session(this.scopes(environment, tenantId), 'interactive') : home;
    if (!session) throw new SignInRequiredError('Sign-in to Azure was cancelled.');
    return this.sessionClients(environment, tenantId, session);
  }

  /** After Azure refused the session twice (401): asks VS Code for a new one. */
  async renewSignIn(): Promise<ArmClients> {
    const settings = this.host.settings();
    if (settings.credential !== 'vscode') return this.signIn();
    const environment = resolveAzureEnvironment(settings);
    const tenantId = this.tenantId(settings);
    const session = await this.host.session(this.scopes(environment, tenantId), 'renew');
    if (!session) throw new SignInRequiredError('Sign-in to Azure was cancelled.');
    return this.sessionClients(environment, tenantId, session);
  }

  /**
   * Lets the user choose the tenant among those of the signed-in account, and remembers it.
   * With a single tenant, takes it without asking unless `always`.
   */
  async chooseTenant(clients: ArmClients, always = true): Promise<AzureTenant | undefined> {
    if (clients.credentials.kind === 'environment') {
      throw new Error('The environment credential signs in to AZURE_TENANT_ID; change that variable to use another tenant.');
    }
    const tenants = await listTenants(clients);
    if (tenants.length === 0) throw new Error('The signed-in account belongs to no Azure tenant.');
    const tenant = tenants.length === 1 && !always ? tenants[0] : await this.host.pickTenant(tenants);
    if (tenant) await this.host.memory.set(TENANT_KEY, tenant.tenantId);
    return tenant;
  }

  /** Forgets the sign-in here; VS Code's account itself is signed out from the Accounts menu. */
  async signOut(): Promise<void> {
    await this.host.memory.set(SIGNED_OUT_KEY, 'true');
  }

  /** The configured tenant, else the one chosen before. */
  private tenantId(settings: AzureSettings): string | undefined {
    return settings.tenant.trim() || this.host.memory.get(TENANT_KEY) || undefined;
  }

  private scopes(environment: AzureEnvironment, tenantId: string | undefined): string[] {
    return [environment.endpoints.scope, ...(tenantId ? [tenantScope(tenantId)] : [])];
  }

  private sessionClients(environment: AzureEnvironment, tenantId: string | undefined, session: AuthSession): ArmClients {
    const source: CredentialSource = sessionCredentialSource(
      (scopes) => this.host.session(scopes, 'silent'),
      tenantId,
      session.account.label,
    );
    return new ArmClients(environment, source, this.clientOptions);
  }
}
