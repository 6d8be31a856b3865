import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { SignInRequiredError } from './azureErrors';
import { type AzureEnvironment, tlsOptionsOf } from './azureEnvironment';
import type { CredentialSource } from './credentialSource';

/**
 * A service principal from AZURE_TENANT_ID / AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or
 * AZURE_CLIENT_CERTIFICATE_PATH (the variables @azure/identity's EnvironmentCredential reads),
 * signing in at the configured cloud's authority.
 */
export function environmentCredentialSource(
  environment: AzureEnvironment,
  env: Readonly<Record<string, string | undefined>>,
): CredentialSource {
  const tenantId = env.AZURE_TENANT_ID;
  const clientId = env.AZURE_CLIENT_ID;
  const secret = env.AZURE_CLIENT_SECRET;
  const certificatePath = env.AZURE_CLIENT_CERTIFICATE_PATH;
  const missing = [
    tenantId ? undefined : 'AZURE_TENANT_ID',
    clientId ? undefined : 'AZURE_CLIENT_ID',
    secret || certificatePath ? undefined : 'AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)',
  ].filter((name): name is string => name !== undefined);
  if (missing.length > 0 || !tenantId || !clientId) {
    throw new SignInRequiredError(
      `azurePytorch.credential is "environment", but ${missing.join(', ')} ` +
        `${missing.length === 1 ? 'is' : 'are'} not set in VS Code's environment. ` +
        'Set them and restart VS Code, or change azurePytorch.credential.',
    );
  }
  const options = {
    authorityHost: environment.endpoints.authorityHost,
    // A custom cloud's authority is not known to Microsoft's instance discovery.
    disableInstanceDiscovery: environment.cloud === 'Custom',
    tlsOptions: tlsOptionsOf(environment),
  };
  const create = (): TokenCredential =>
    secret
      ? new ClientSecretCredential(tenantId, clientId, secret, options)
      : new ClientCertificateCredential(
          tenantId,
          clientId,
          { certificatePath: certificatePath!, certificatePassword: env.AZURE_CLIENT_CERTIFICATE_PASSWORD },
          options,
        );
  let current = create();
  return {
    kind: 'environment',
    tenantId,
    accountLabel: `service principal ${clientId}`,
    credential: () => current,
    refresh() {
      // MSAL caches the token inside the credential; a new credential asks the authority again.
      current = create();
      return Promise.resolve();
    },
  };
}
