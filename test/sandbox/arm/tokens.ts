/**
 * Access tokens: issued by the token endpoint (JWT-shaped, HMAC-signed), checked on every Resource
 * Manager request. A token is valid while it is in the issued set, unexpired, for an accepted
 * audience. The static token is valid for every tenant until revoked with `includeStatic`.
 */
import * as crypto from 'crypto';
import { ArmError } from './errors';

export interface IssuedToken {
  readonly token: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly audience: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** Set for a VM's managed identity (see managed-identities.ts): its tokens act only where it holds a role. */
  readonly managedIdentity?: ManagedIdentityClaims;
}

export interface ManagedIdentityClaims {
  readonly principalId: string;
  /** The VM's resource id (Azure's `xms_mirid` claim). */
  readonly resourceId: string;
}

/** Who a valid token speaks for: one tenant, or every tenant (the static token). */
export type TokenSubject = { kind: 'tenant'; tenantId: string; managedIdentity?: ManagedIdentityClaims } | { kind: 'static' };

export const PUBLIC_CLOUD_AUDIENCES = ['https://management.azure.com/', 'https://management.core.windows.net/'];

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function normalizeAudience(audience: string): string {
  return audience.toLowerCase().replace(/\/+$/, '');
}

export class TokenIssuer {
  private readonly issued = new Map<string, IssuedToken>();
  private readonly signingKey = crypto.randomBytes(32);
  private readonly audiences: Set<string>;
  private staticTokenValid = true;

  constructor(
    readonly staticToken: string,
    audiences: readonly string[],
    private readonly lifetimeSeconds: number,
    private readonly authorizationUri: (tenantId?: string) => string,
  ) {
    this.audiences = new Set(audiences.map(normalizeAudience));
  }

  get issuedCount(): number {
    return this.issued.size;
  }

  issue(tenantId: string, clientId: string, audience: string, managedIdentity?: ManagedIdentityClaims): IssuedToken {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: audience,
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + this.lifetimeSeconds,
      appid: clientId,
      oid: clientId,
      sub: clientId,
      tid: tenantId,
      idtyp: 'app',
      ver: '1.0',
      uti: crypto.randomUUID(),
      ...(managedIdentity
        ? { oid: managedIdentity.principalId, sub: managedIdentity.principalId, xms_mirid: managedIdentity.resourceId }
        : {}),
    };
    const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
    const signature = crypto.createHmac('sha256', this.signingKey).update(unsigned).digest('base64url');
    const issued: IssuedToken = {
      token: `${unsigned}.${signature}`,
      tenantId,
      clientId,
      audience,
      expiresAt: claims.exp * 1000,
      ...(managedIdentity ? { managedIdentity } : {}),
    };
    this.issued.set(issued.token, issued);
    return issued;
  }

  /** Every token issued so far stops working; clients must get new ones. Returns how many. */
  revokeAll(options: { includeStatic?: boolean } = {}): number {
    const count = this.issued.size;
    this.issued.clear();
    if (options.includeStatic) {
      this.staticTokenValid = false;
    }
    return count;
  }

  /** Every token issued so far is treated as expired from now on. Returns how many. */
  expireAll(): number {
    const past = Date.now() - 1000;
    for (const token of this.issued.values()) {
      token.expiresAt = past;
    }
    return this.issued.size;
  }

  /** Checks an Authorization header; throws a 401 ArmError when it does not admit the request. */
  authenticate(authorization: string | undefined): TokenSubject {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) {
      throw this.unauthorized(
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        "The authentication failed because of missing 'Authorization' header.",
      );
    }
    const token = match[1];
    if (token === this.staticToken && this.staticTokenValid) {
      return { kind: 'static' };
    }
    const issued = this.issued.get(token);
    if (!issued) {
      throw this.unauthorized(
        'InvalidAuthenticationToken',
        'The access token is invalid.',
        'The access token is invalid or has been revoked.',
      );
    }
    if (issued.expiresAt <= Date.now()) {
      const expiry = new Date(issued.expiresAt).toISOString();
      throw this.unauthorized(
        'ExpiredAuthenticationToken',
        `The access token expiry UTC time '${expiry}' is earlier than current UTC time '${new Date().toISOString()}'.`,
        'The access token has expired.',
        issued.tenantId,
      );
    }
    if (!this.audiences.has(normalizeAudience(issued.audience))) {
      throw this.unauthorized(
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${issued.audience}'. ` +
          `It should exactly match with one of the allowed audiences ${[...this.audiences].map((a) => `'${a}/'`).join(',')}.`,
        'The access token has an audience this Resource Manager does not accept.',
        issued.tenantId,
      );
    }
    return { kind: 'tenant', tenantId: issued.tenantId, ...(issued.managedIdentity ? { managedIdentity: issued.managedIdentity } : {}) };
  }

  /** Throws unless the token may act in the subscription's tenant. */
  authorizeTenant(subject: TokenSubject, subscriptionTenantId: string): void {
    if (subject.kind === 'static' || subject.tenantId.toLowerCase() === subscriptionTenantId.toLowerCase()) {
      return;
    }
    throw this.unauthorized(
      'InvalidAuthenticationTokenTenant',
      `The access token is from the wrong issuer 'https://sts.windows.net/${subject.tenantId}/'. ` +
        `It must match the tenant 'https://sts.windows.net/${subscriptionTenantId}/' associated with this subscription. ` +
        `Please use the authority (URL) '${this.authorizationUri(subscriptionTenantId)}' to get the token.`,
      'The access token is from the wrong tenant for this subscription.',
      subscriptionTenantId,
    );
  }

  private unauthorized(code: string, message: string, description: string, tenantId?: string): ArmError {
    const challenge =
      `Bearer authorization_uri="${this.authorizationUri(tenantId)}", error="invalid_token", ` + `error_description="${description}"`;
    return new ArmError(401, code, message, { 'WWW-Authenticate': challenge });
  }
}
