import type { AccessToken } from '@azure/identity';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { SignInRequiredError } from './azureErrors';
import type { CredentialSource } from './credentialSource';

export const ARM_AUTH_POLICY_NAME = 'azurePytorchArmAuth';

/** A response sent the client to a URL outside the configured Resource Manager; nothing was sent there. */
export class ForeignOriginError extends Error {
  override readonly name = 'ForeignOriginError';
}

/** Tokens this close to expiry are renewed before use. */
const RENEW_BEFORE_EXPIRY_MS = 2 * 60_000;

/**
 * Bearer-token authentication for Resource Manager requests, shared by every client of a session.
 * Replaces the SDK's own policy because that one never retries a 401: here a 401 gets one fresh
 * token and one retry; a second 401 stands, and the caller asks the user to sign in again.
 * The token goes to the configured Resource Manager origin only: the SDK follows whatever URL a
 * response names (a long-running operation's Azure-AsyncOperation or Location, a nextLink).
 */
export class ArmAuthPolicy implements PipelinePolicy {
  readonly name = ARM_AUTH_POLICY_NAME;
  private cached?: AccessToken;
  private pending?: Promise<AccessToken>;
  private readonly origin: string;

  constructor(
    private readonly source: CredentialSource,
    private readonly scope: string,
    resourceManagerEndpoint: string,
  ) {
    this.origin = new URL(resourceManagerEndpoint).origin;
  }

  async sendRequest(request: Parameters<PipelinePolicy['sendRequest']>[0], next: Parameters<PipelinePolicy['sendRequest']>[1]) {
    const origin = new URL(request.url).origin;
    if (!request.url.toLowerCase().startsWith('https://')) {
      throw new Error(`Refusing to send an Azure token over plain http (${origin}).`);
    }
    if (origin !== this.origin) {
      throw new ForeignOriginError(
        `Refusing to send the Azure token to ${origin}: Azure's response pointed there, ` +
          `but only the configured Resource Manager (${this.origin}) gets it.`,
      );
    }
    const token = await this.token();
    request.headers.set('Authorization', `Bearer ${token.token}`);
    const response = await next(request);
    if (response.status !== 401) return response;

    await this.renewAfterRejection(token);
    request.headers.set('Authorization', `Bearer ${(await this.token()).token}`);
    return next(request);
  }

  private async token(): Promise<AccessToken> {
    const cached = this.cached;
    if (cached && cached.expiresOnTimestamp - Date.now() > RENEW_BEFORE_EXPIRY_MS) return cached;
    // Many requests start at once (one per subscription): they share one token request.
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetch(): Promise<AccessToken> {
    const token = await this.source.credential().getToken(this.scope);
    if (!token) throw new SignInRequiredError('Azure sign-in returned no token.');
    this.cached = token;
    return token;
  }

  /** Drops the refused token once, even when many requests were refused at the same time. */
  private async renewAfterRejection(refused: AccessToken): Promise<void> {
    if (this.cached !== refused) return;
    this.cached = undefined;
    await this.source.refresh();
  }
}
