import { AzureCliCredential } from '@azure/identity';
import type { CredentialSource } from './credentialSource';

/** The Azure CLI's signed-in account (`az login`); the CLI keeps and refreshes its own tokens. */
export function azureCliCredentialSource(tenantId: string | undefined): CredentialSource {
  const credential = new AzureCliCredential(tenantId ? { tenantId } : {});
  return {
    kind: 'azureCli',
    tenantId,
    accountLabel: 'Azure CLI account',
    credential: () => credential,
    async refresh() {
      // Each token is asked of `az` anew; nothing is cached here.
    },
  };
}
