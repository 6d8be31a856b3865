/**
 * Real Azure SDK clients pointed at the stand-in, configured the way a sovereign-cloud or custom
 * endpoint user would configure them: endpoint, credential scope, CA certificate.
 */
import { ComputeManagementClient } from '@azure/arm-compute';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';

/** What the clients need of the stand-in (an ArmStandIn has it): where it is, its CA, its app registration. */
export interface StandInConnection {
  readonly endpoint: string;
  readonly caPem: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export const ARM_SCOPE = 'https://management.azure.com/.default';

/** Retry timing for clients; tests pass short delays so 500/503 retries stay fast. */
export interface RetryTiming {
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
  maxRetries?: number;
}

export function clientSecretCredential(arm: StandInConnection): ClientSecretCredential {
  return new ClientSecretCredential(arm.tenantId, arm.clientId, arm.clientSecret, {
    authorityHost: arm.endpoint,
    disableInstanceDiscovery: true,
    additionallyAllowedTenants: ['*'],
    tlsOptions: { ca: arm.caPem },
  });
}

export function computeClient(
  arm: StandInConnection,
  credential: TokenCredential,
  subscriptionId: string,
  retryOptions?: RetryTiming,
): ComputeManagementClient {
  return new ComputeManagementClient(credential, subscriptionId, {
    endpoint: arm.endpoint,
    credentials: { scopes: [ARM_SCOPE] },
    tlsOptions: { ca: arm.caPem },
    retryOptions,
  });
}

export function subscriptionClient(arm: StandInConnection, credential: TokenCredential, retryOptions?: RetryTiming): SubscriptionClient {
  return new SubscriptionClient(credential, {
    endpoint: arm.endpoint,
    credentialScopes: [ARM_SCOPE],
    tlsOptions: { ca: arm.caPem },
    retryOptions,
  });
}

export function resourcesClient(
  arm: StandInConnection,
  credential: TokenCredential,
  subscriptionId: string,
  retryOptions?: RetryTiming,
): ResourceManagementClient {
  return new ResourceManagementClient(credential, subscriptionId, {
    endpoint: arm.endpoint,
    credentialScopes: [ARM_SCOPE],
    tlsOptions: { ca: arm.caPem },
    retryOptions,
  });
}
