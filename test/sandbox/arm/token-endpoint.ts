/**
 * The Microsoft Entra ID stand-in: what MSAL (inside @azure/identity's ClientSecretCredential)
 * asks for when its authorityHost is the stand-in: the OpenID discovery document, the token
 * endpoint (client-credentials grant), and instance discovery for clients that do not disable it.
 */
import * as crypto from 'crypto';
import type { CloudSpec } from './cloud-spec';
import { type RequestContext, sendJson } from './http';
import type { TokenIssuer } from './tokens';

const OPENID_CONFIGURATION = /^\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration$/i;
const TOKEN = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token$/i;
const INSTANCE_DISCOVERY = /^\/common\/discovery\/instance$/i;
const ALIAS_TENANTS = new Set(['common', 'organizations', 'consumers']);

export function isTokenEndpointPath(path: string): boolean {
  return OPENID_CONFIGURATION.test(path) || TOKEN.test(path) || INSTANCE_DISCOVERY.test(path);
}

function aadError(ctx: RequestContext, status: number, error: string, code: number, description: string): void {
  sendJson(ctx, status, {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: crypto.randomUUID(),
    correlation_id: crypto.randomUUID(),
  });
}

export class TokenEndpoint {
  constructor(
    private readonly spec: CloudSpec,
    private readonly tokens: TokenIssuer,
  ) {}

  handle(ctx: RequestContext): void {
    const path = ctx.url.pathname;
    let match: RegExpExecArray | null;
    if ((match = OPENID_CONFIGURATION.exec(path)) && ctx.method === 'GET') {
      this.openIdConfiguration(ctx, match[1], Boolean(match[2]));
    } else if ((match = TOKEN.exec(path)) && ctx.method === 'POST') {
      this.token(ctx, match[1]);
    } else if (INSTANCE_DISCOVERY.test(path) && ctx.method === 'GET') {
      this.instanceDiscovery(ctx);
    } else {
      aadError(
        ctx,
        405,
        'invalid_request',
        900561,
        `The endpoint only accepts ${OPENID_CONFIGURATION.test(path) ? 'GET' : 'POST'} requests.`,
      );
    }
  }

  private resolveTenant(tenant: string): string | undefined {
    if (ALIAS_TENANTS.has(tenant.toLowerCase())) {
      return this.spec.servicePrincipal.tenantId;
    }
    return this.spec.tenants.find(
      (t) => t.tenantId.toLowerCase() === tenant.toLowerCase() || t.defaultDomain.toLowerCase() === tenant.toLowerCase(),
    )?.tenantId;
  }

  private openIdConfiguration(ctx: RequestContext, tenant: string, v2: boolean): void {
    const tenantId = this.resolveTenant(tenant);
    if (!tenantId) {
      aadError(ctx, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`);
      return;
    }
    const base = `${ctx.endpoint}/${tenant}`;
    const suffix = v2 ? '/v2.0' : '';
    sendJson(ctx, 200, {
      token_endpoint: `${base}/oauth2${suffix}/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${ctx.endpoint}/${tenantId}/discovery${suffix}/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: v2 ? `${ctx.endpoint}/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ctx.endpoint}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2${suffix}/authorize`,
      device_authorization_endpoint: `${base}/oauth2${suffix}/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2${suffix}/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid'],
      tenant_region_scope: 'NA',
      cloud_instance_name: new URL(ctx.endpoint).host,
      cloud_graph_host_name: new URL(ctx.endpoint).host,
      msgraph_host: new URL(ctx.endpoint).host,
    });
  }

  private instanceDiscovery(ctx: RequestContext): void {
    const host = new URL(ctx.endpoint).host;
    sendJson(ctx, 200, {
      tenant_discovery_endpoint: `${ctx.endpoint}/common/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  private token(ctx: RequestContext, tenant: string): void {
    const tenantId = this.resolveTenant(tenant);
    if (!tenantId) {
      aadError(ctx, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
      return;
    }
    const form = new URLSearchParams(ctx.body);
    const principal = this.spec.servicePrincipal;
    if (form.get('grant_type') !== 'client_credentials') {
      aadError(
        ctx,
        400,
        'unsupported_grant_type',
        70003,
        `The sandbox only supports the client_credentials grant, not '${form.get('grant_type')}'.`,
      );
      return;
    }
    if (form.get('client_id') !== principal.clientId) {
      aadError(
        ctx,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`,
      );
      return;
    }
    if (form.get('client_secret') !== principal.clientSecret) {
      aadError(
        ctx,
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ' +
          `not the client secret ID, for a secret added to app '${principal.clientId}'.`,
      );
      return;
    }
    const resource =
      form.get('resource') ??
      form
        .get('scope')
        ?.split(' ')
        .find((s) => s.endsWith('/.default'))
        ?.slice(0, -'.default'.length);
    if (!resource) {
      aadError(
        ctx,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.get('scope')} is not valid. ` +
          'Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
      );
      return;
    }
    const issued = this.tokens.issue(tenantId, principal.clientId, resource);
    const expiresIn = Math.round((issued.expiresAt - Date.now()) / 1000);
    sendJson(ctx, 200, { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: issued.token });
  }
}
