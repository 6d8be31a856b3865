import type { TokenCredential } from '@azure/identity';
import type { CredentialKind } from './azureEnvironment';

/**
 * Where Resource Manager tokens come from: a credential, and a way to get a fresh one after
 * Resource Manager refused a token (401), since credentials cache their tokens.
 */
export interface CredentialSource {
  readonly kind: CredentialKind;
  /** The tenant tokens are for; undefined when the credential decides (the CLI's default). */
  readonly tenantId?: string;
  /** Who is signed in, for display ("user@contoso.com", a client ID). */
  readonly accountLabel?: string;
  credential(): TokenCredential;
  /** Forgets cached tokens, so that the next token is fetched anew. */
  refresh(): Promise<void>;
}
