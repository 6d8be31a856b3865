import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { ArmAdminClient, type ArmStandIn, httpsRequest, startArmStandIn } from '../../sandbox/arm';
import { ARM_SCOPE, clientSecretCredential, computeClient, subscriptionClient } from '../../sandbox/arm/sdk-clients';
import { jsonEntries, jsonString, parseJson } from '../../json';
import { restError } from './restError';

const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const FABRIKAM_TENANT = 'c2a7e913-8d4b-4f60-b5e2-9a1f3c7d6e82';
const FABRIKAM_SUBSCRIPTION = 'e5b9d2f1-6c8a-4b3e-a7d0-4f1c9e2b5a36';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) {
    result.push(item);
  }
  return result;
}

function claimsOf(token: string): Record<string, unknown> {
  return Object.fromEntries(jsonEntries(parseJson(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))));
}

/** Asks for every token in one tenant, as a client does after choosing a tenant. */
class TenantCredential implements TokenCredential {
  constructor(
    private readonly inner: TokenCredential,
    private readonly tenantId: string,
  ) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    return this.inner.getToken(scopes, { ...options, tenantId: this.tenantId });
  }
}

describe('ARM stand-in: authentication', () => {
  let stateDir: string;
  let arm: ArmStandIn;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-auth-'));
    arm = await startArmStandIn({ stateDir, tokenLifetimeSeconds: 600 });
  });

  after(async () => {
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('answers a request without a token with 401 and a WWW-Authenticate challenge', async () => {
    const response = await httpsRequest(`${arm.endpoint}/subscriptions?api-version=2022-12-01`, arm.caPem);
    assert.strictEqual(response.status, 401);
    assert.strictEqual(jsonString(response.json, 'error', 'code'), 'AuthenticationFailed');
    assert.match(
      String(response.headers['www-authenticate']),
      /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+", error="invalid_token"/,
    );
    const forged = await httpsRequest(`${arm.endpoint}/subscriptions?api-version=2022-12-01`, arm.caPem, {
      headers: { Authorization: 'Bearer not-issued-here' },
    });
    assert.strictEqual(forged.status, 401);
    assert.strictEqual(jsonString(forged.json, 'error', 'code'), 'InvalidAuthenticationToken');
  });

  it('issues a token to ClientSecretCredential and accepts it', async () => {
    const credential = clientSecretCredential(arm);
    const token = await credential.getToken(ARM_SCOPE);
    assert.ok(token);
    const claims = claimsOf(token.token);
    assert.strictEqual(claims.tid, arm.tenantId);
    assert.strictEqual(claims.aud, 'https://management.azure.com/');
    assert.strictEqual(claims.appid, arm.clientId);
    assert.ok(Math.abs(token.expiresOnTimestamp - (Date.now() + 600_000)) < 5_000);
    const subscriptions = await collect(subscriptionClient(arm, credential).subscriptions.list());
    assert.deepStrictEqual(
      subscriptions.map((s) => s.displayName),
      ['ML Research (GPU)', 'ML Production'],
      "only the token's tenant",
    );
  });

  it('refuses a wrong client secret', async () => {
    const credential = new ClientSecretCredential(arm.tenantId, arm.clientId, 'wrong-secret', {
      authorityHost: arm.endpoint,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: arm.caPem },
    });
    await assert.rejects(credential.getToken(ARM_SCOPE), /AADSTS7000215/);
  });

  it('rejects revoked tokens with 401 until the client gets a new one', async () => {
    const credential = clientSecretCredential(arm);
    const compute = computeClient(arm, credential, RESEARCH);
    assert.strictEqual((await collect(compute.virtualMachines.listAll())).length, 4);
    assert.ok(arm.tokens.revokeAll() >= 1);
    await assert.rejects(collect(compute.virtualMachines.listAll()), restError({ statusCode: 401, code: 'InvalidAuthenticationToken' }));
    const refreshed = computeClient(arm, clientSecretCredential(arm), RESEARCH);
    assert.strictEqual((await collect(refreshed.virtualMachines.listAll())).length, 4);
  });

  it('rejects expired tokens (admin path) with ExpiredAuthenticationToken', async () => {
    const compute = computeClient(arm, clientSecretCredential(arm), RESEARCH);
    await collect(compute.virtualMachines.listAll());
    assert.ok((await ArmAdminClient.fromStateDir(stateDir).expireTokens()) >= 1);
    await assert.rejects(collect(compute.virtualMachines.listAll()), restError({ statusCode: 401, code: 'ExpiredAuthenticationToken' }));
  });

  it("refuses a token from another tenant, and accepts one for the subscription's tenant", async () => {
    const credential = clientSecretCredential(arm);
    const homeTenant = computeClient(arm, credential, FABRIKAM_SUBSCRIPTION);
    await assert.rejects(
      collect(homeTenant.virtualMachines.listAll()),
      restError({ statusCode: 401, code: 'InvalidAuthenticationTokenTenant' }),
    );
    const fabrikam = computeClient(arm, new TenantCredential(credential, FABRIKAM_TENANT), FABRIKAM_SUBSCRIPTION);
    const vms = await collect(fabrikam.virtualMachines.listAll());
    assert.deepStrictEqual(
      vms.map((vm) => vm.name),
      ['gpu-t4-shared'],
    );
  });

  it('refuses a token for the wrong audience (a scope left at the endpoint)', async () => {
    const credential = clientSecretCredential(arm);
    const token = await credential.getToken(`${arm.endpoint}/.default`);
    const response = await httpsRequest(`${arm.endpoint}/subscriptions?api-version=2022-12-01`, arm.caPem, {
      headers: { Authorization: `Bearer ${token.token}` },
    });
    assert.strictEqual(response.status, 401);
    assert.strictEqual(jsonString(response.json, 'error', 'code'), 'InvalidAuthenticationTokenAudience');
  });

  it('serves the OpenID configuration MSAL reads', async () => {
    const response = await httpsRequest(`${arm.endpoint}/${arm.tenantId}/v2.0/.well-known/openid-configuration`, arm.caPem);
    assert.strictEqual(response.status, 200);
    assert.strictEqual(jsonString(response.json, 'token_endpoint'), `${arm.endpoint}/${arm.tenantId}/oauth2/v2.0/token`);
    const unknown = await httpsRequest(
      `${arm.endpoint}/00000000-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration`,
      arm.caPem,
    );
    assert.strictEqual(unknown.status, 400);
  });
});
