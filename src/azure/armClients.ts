import { ComputeManagementClient } from '@azure/arm-compute';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { bearerTokenAuthenticationPolicyName, type Pipeline } from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import * as https from 'https';
import * as tls from 'tls';
import { ArmAuthPolicy } from './armAuthPolicy';
import { armErrorBodiesPolicy } from './armErrorBodies';
import type { AzureEnvironment } from './azureEnvironment';
import type { CredentialSource } from './credentialSource';

export interface ArmClientOptions {
  /** Retries of throttled (429) and failed (5xx) requests; the SDK's default is 3. */
  readonly maxRetries?: number;
  /** First back-off of 5xx retries; the SDK's default is 800 ms. */
  readonly retryDelayMs?: number;
  /** How often long-running operations are polled when Azure gives no Retry-After. */
  readonly pollIntervalMs?: number;
}

const USER_AGENT = 'azure-pytorch-vscode';

/**
 * The Azure SDK clients of one sign-in, made once per subscription and shared. They all speak to
 * the configured endpoint, trust the configured CA, and authenticate through one ArmAuthPolicy.
 */
export class ArmClients {
  private readonly auth: ArmAuthPolicy;
  /**
   * One keep-alive agent for all clients, so that they share connections. Its TLS context is built
   * once: with the system's roots plus an extra CA, building it per connection costs ~20 ms of CPU.
   */
  private readonly agent: https.Agent;
  private readonly compute = new Map<string, ComputeManagementClient>();
  private readonly resources = new Map<string, ResourceManagementClient>();
  private subscriptionClient?: SubscriptionClient;

  constructor(
    readonly environment: AzureEnvironment,
    readonly credentials: CredentialSource,
    readonly options: ArmClientOptions = {},
  ) {
    this.auth = new ArmAuthPolicy(credentials, environment.endpoints.scope, environment.endpoints.resourceManager);
    const cas = environment.trustedCas;
    this.agent = new https.Agent({ keepAlive: true, ...(cas ? { secureContext: tls.createSecureContext({ ca: [...cas] }) } : {}) });
  }

  /** Closes the shared connections. */
  dispose(): void {
    this.agent.destroy();
  }

  /** The credential the SDK clients are built with; the ArmAuthPolicy replaces its use. */
  private get credential(): TokenCredential {
    return this.credentials.credential();
  }

  private get commonOptions() {
    return {
      endpoint: this.environment.endpoints.resourceManager,
      agent: this.agent,
      retryOptions: { maxRetries: this.options.maxRetries, retryDelayInMs: this.options.retryDelayMs },
      userAgentOptions: { userAgentPrefix: USER_AGENT },
    };
  }

  subscriptions(): SubscriptionClient {
    this.subscriptionClient ??= this.withAuth(
      new SubscriptionClient(this.credential, { ...this.commonOptions, credentialScopes: [this.environment.endpoints.scope] }),
    );
    return this.subscriptionClient;
  }

  computeFor(subscriptionId: string): ComputeManagementClient {
    let client = this.compute.get(subscriptionId);
    if (!client) {
      client = this.withAuth(
        new ComputeManagementClient(this.credential, subscriptionId, {
          ...this.commonOptions,
          credentials: { scopes: [this.environment.endpoints.scope] },
        }),
      );
      this.compute.set(subscriptionId, client);
    }
    return client;
  }

  resourcesFor(subscriptionId: string): ResourceManagementClient {
    let client = this.resources.get(subscriptionId);
    if (!client) {
      client = this.withAuth(
        new ResourceManagementClient(this.credential, subscriptionId, {
          ...this.commonOptions,
          credentialScopes: [this.environment.endpoints.scope],
        }),
      );
      this.resources.set(subscriptionId, client);
    }
    return client;
  }

  get pollIntervalMs(): number | undefined {
    return this.options.pollIntervalMs;
  }

  private withAuth<T extends { pipeline: Pipeline }>(client: T): T {
    client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    client.pipeline.addPolicy(this.auth, { phase: 'Sign' });
    client.pipeline.addPolicy(armErrorBodiesPolicy, { phase: 'Sign' });
    return client;
  }
}
