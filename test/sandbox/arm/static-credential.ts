import type { AccessToken, TokenCredential } from '@azure/core-auth';

/** A TokenCredential that always returns the same token: the stand-in's static token, for simple tests. */
export class StaticTokenCredential implements TokenCredential {
  /** How many times a client asked for a token. */
  requests = 0;

  constructor(private readonly token: string) {}

  getToken(): Promise<AccessToken> {
    this.requests++;
    return Promise.resolve({ token: this.token, expiresOnTimestamp: Date.now() + 3600_000, tokenType: 'Bearer' });
  }
}
