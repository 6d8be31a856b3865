import type { AccessToken, TokenCredential } from '@azure/identity';
import { numberField } from '../common/fields';
import { SignInRequiredError } from './azureErrors';
import type { CredentialSource } from './credentialSource';

/** What VS Code's authentication API returns, reduced to what a credential needs. */
export interface AuthSession {
  readonly accessToken: string;
  readonly account: { readonly id: string; readonly label: string };
}

/**
 * Asks the editor's Microsoft sign-in for a session with these scopes. Silent: never prompts,
 * answers undefined when the user is not signed in.
 */
export type SessionRequest = (scopes: string[]) => Promise<AuthSession | undefined>;

/** The scope that makes VS Code's Microsoft provider sign in to one tenant. */
export function tenantScope(tenantId: string): string {
  return `VSCODE_TENANT:${tenantId}`;
}

const FALLBACK_LIFETIME_MS = 5 * 60_000;

/** A TokenCredential over VS Code's Microsoft sign-in, for one tenant (or the account's home tenant). */
export function sessionCredentialSource(request: SessionRequest, tenantId: string | undefined, accountLabel?: string): CredentialSource {
  const credential: TokenCredential = {
    async getToken(scopes): Promise<AccessToken> {
      const wanted = [...(Array.isArray(scopes) ? scopes : [scopes]), ...(tenantId ? [tenantScope(tenantId)] : [])];
      const session = await request(wanted);
      if (!session) {
        throw new SignInRequiredError('You are not signed in to Azure.');
      }
      return { token: session.accessToken, expiresOnTimestamp: jwtExpiry(session.accessToken) ?? Date.now() + FALLBACK_LIFETIME_MS };
    },
  };
  return {
    kind: 'vscode',
    tenantId,
    accountLabel,
    credential: () => credential,
    async refresh() {
      // VS Code owns the session and renews it when it expires; each token is asked of it anew.
    },
  };
}

/** The `exp` claim of a JWT, in milliseconds; undefined when the token is not a JWT. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = numberField(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), 'exp');
    return exp === undefined ? undefined : exp * 1000;
  } catch {
    return undefined;
  }
}
