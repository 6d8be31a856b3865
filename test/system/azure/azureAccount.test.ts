import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createHttpHeaders, createPipelineRequest, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { type ArmStandIn, startArmStandIn } from '../../sandbox/arm';
import { ArmAuthPolicy } from '../../../src/azure/armAuthPolicy';
import { AzureAccount, type AccountHost, type SessionMode } from '../../../src/azure/azureAccount';
import type { AzureSettings } from '../../../src/azure/azureEnvironment';
import { SignInRequiredError } from '../../../src/azure/azureErrors';
import { listSubscriptions, type AzureTenant } from '../../../src/azure/subscriptions';

const CONTOSO = '6d0c4f7a-2b9e-4c1d-8f3a-5e7b9a1c2d40';
const FABRIKAM = 'c2a7e913-8d4b-4f60-b5e2-9a1f3c7d6e82';

interface FakeEditor {
  host: AccountHost;
  sessionsAsked: Array<{ scopes: string[]; mode: SessionMode }>;
  tenantPicks: number;
}

/** VS Code as the account sees it: a Microsoft sign-in that hands out the stand-in's static token. */
function fakeEditor(
  arm: ArmStandIn,
  options: { signedIn: boolean; pick?: string; settings?: Partial<AzureSettings>; env?: Record<string, string> },
): FakeEditor {
  const memory = new Map<string, string>();
  const editor: Omit<FakeEditor, 'host'> = { sessionsAsked: [], tenantPicks: 0 };
  let signedIn = options.signedIn;
  const host: AccountHost = {
    settings: () => ({
      cloud: 'Custom',
      resourceManagerEndpoint: arm.endpoint,
      authorityHost: arm.endpoint,
      caCertificate: arm.caFile,
      credential: 'vscode',
      tenant: '',
      subscriptions: [],
      ...options.settings,
    }),
    environmentVariables: () => options.env ?? {},
    session: (scopes, mode) => {
      editor.sessionsAsked.push({ scopes, mode });
      if (mode !== 'silent') signedIn = true;
      return Promise.resolve(signedIn ? { accessToken: arm.staticToken, account: { id: 'u1', label: 'user@contoso.com' } } : undefined);
    },
    pickTenant: (tenants: readonly AzureTenant[]) => {
      editor.tenantPicks++;
      return Promise.resolve(tenants.find((t) => t.tenantId === options.pick));
    },
    memory: {
      get: (key) => memory.get(key),
      set: (key, value) => {
        if (value === undefined) memory.delete(key);
        else memory.set(key, value);
        return Promise.resolve();
      },
    },
  };
  return Object.assign(editor, { host });
}

describe('Azure account (sign-in)', function () {
  this.timeout(30_000);
  let stateDir: string;
  let arm: ArmStandIn;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-account-'));
    arm = await startArmStandIn({ stateDir });
  });

  after(async () => {
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('is signed out, without prompting, when VS Code has no session', async () => {
    const editor = fakeEditor(arm, { signedIn: false });
    assert.strictEqual(await new AzureAccount(editor.host).connect(), undefined);
    assert.deepStrictEqual(
      editor.sessionsAsked.map((s) => s.mode),
      ['silent'],
    );
  });

  it('lets the user choose among several tenants once, and remembers the choice', async () => {
    const editor = fakeEditor(arm, { signedIn: false, pick: FABRIKAM });
    const account = new AzureAccount(editor.host);
    const clients = await account.signIn();
    try {
      assert.strictEqual(editor.tenantPicks, 1);
      assert.strictEqual(clients.credentials.tenantId, FABRIKAM);
      assert.ok(
        editor.sessionsAsked.some((s) => s.mode === 'interactive' && s.scopes.includes(`VSCODE_TENANT:${FABRIKAM}`)),
        'the session is for the chosen tenant',
      );
      const subscriptions = await listSubscriptions(clients, []);
      assert.deepStrictEqual(
        subscriptions.map((s) => s.displayName),
        ['Fabrikam Shared GPUs'],
      );
    } finally {
      clients.dispose();
    }
    const again = await account.connect();
    assert.ok(again);
    again.dispose();
    assert.strictEqual(editor.tenantPicks, 1, 'not asked a second time');
    assert.strictEqual(again.credentials.tenantId, FABRIKAM);
  });

  it('takes the tenant of azurePytorch.tenant without asking', async () => {
    const editor = fakeEditor(arm, { signedIn: true, settings: { tenant: CONTOSO } });
    const clients = await new AzureAccount(editor.host).signIn();
    clients.dispose();
    assert.strictEqual(editor.tenantPicks, 0);
    assert.strictEqual(clients.credentials.tenantId, CONTOSO);
  });

  it('stays signed out after Sign Out until the next sign-in', async () => {
    const editor = fakeEditor(arm, { signedIn: true, settings: { tenant: CONTOSO } });
    const account = new AzureAccount(editor.host);
    await account.signOut();
    assert.strictEqual(await account.connect(), undefined);
    const clients = await account.signIn();
    clients.dispose();
    const connected = await account.connect();
    assert.ok(connected);
    connected.dispose();
  });

  it('says which variables the environment credential misses', async () => {
    const editor = fakeEditor(arm, { signedIn: false, settings: { credential: 'environment' }, env: { AZURE_TENANT_ID: CONTOSO } });
    await assert.rejects(new AzureAccount(editor.host).connect(), (error: unknown) => {
      assert.ok(error instanceof SignInRequiredError);
      assert.match(error.message, /AZURE_CLIENT_ID, AZURE_CLIENT_SECRET \(or AZURE_CLIENT_CERTIFICATE_PATH\) are not set/);
      return true;
    });
  });

  it('refuses a CA certificate file that holds no certificate', async () => {
    const notPem = path.join(stateDir, 'not-a-cert.txt');
    fs.writeFileSync(notPem, 'hello');
    const editor = fakeEditor(arm, { signedIn: true, settings: { caCertificate: notPem } });
    await assert.rejects(new AzureAccount(editor.host).connect(), /holds no PEM certificate/);
  });
});

describe('ARM auth policy', () => {
  const source = {
    kind: 'environment' as const,
    credential: () => ({ getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 }) }),
    refresh: () => Promise.resolve(),
  };
  const respond = (request: PipelineRequest, status: number): Promise<PipelineResponse> =>
    Promise.resolve({ request, status, headers: createHttpHeaders() });

  it('never sends a token over plain http', async () => {
    const policy = new ArmAuthPolicy(source, 'scope', 'https://127.0.0.1:1');
    let sent = false;
    const next = (request: PipelineRequest): Promise<PipelineResponse> => {
      sent = true;
      return respond(request, 200);
    };
    await assert.rejects(policy.sendRequest(createPipelineRequest({ url: 'http://127.0.0.1:1/x' }), next), /plain http/);
    assert.strictEqual(sent, false);
  });

  it('never sends a token to an origin other than the configured Resource Manager', async () => {
    const policy = new ArmAuthPolicy(source, 'scope', 'https://127.0.0.1:1');
    const sentTo: string[] = [];
    const next = (request: PipelineRequest): Promise<PipelineResponse> => {
      sentTo.push(request.url);
      return respond(request, 200);
    };
    await policy.sendRequest(createPipelineRequest({ url: 'https://127.0.0.1:1/operations/1' }), next);
    for (const url of ['https://127.0.0.1:2/operations/1', 'https://127.0.0.2:1/operations/1', 'https://evil.example/operations/1']) {
      await assert.rejects(
        policy.sendRequest(createPipelineRequest({ url }), next),
        /Refusing to send the Azure token to .*only the configured Resource Manager \(https:\/\/127\.0\.0\.1:1\)/,
      );
    }
    assert.deepStrictEqual(sentTo, ['https://127.0.0.1:1/operations/1']);
  });

  it('asks one fresh token after a 401 and retries once, however many requests were refused', async () => {
    let tokens = 0;
    let refreshes = 0;
    const counting = {
      kind: 'environment' as const,
      credential: () => ({ getToken: () => Promise.resolve({ token: `t${++tokens}`, expiresOnTimestamp: Date.now() + 3600_000 }) }),
      refresh: () => {
        refreshes++;
        return Promise.resolve();
      },
    };
    const policy = new ArmAuthPolicy(counting, 'scope', 'https://127.0.0.1:1');
    const statuses: number[] = [];
    const next = (req: PipelineRequest): Promise<PipelineResponse> => {
      const status = req.headers.get('Authorization') === 'Bearer t1' ? 401 : 200;
      statuses.push(status);
      return respond(req, status);
    };
    const make = (): PipelineRequest => createPipelineRequest({ url: 'https://127.0.0.1:1/x' });
    const responses = await Promise.all([make(), make(), make()].map((r) => policy.sendRequest(r, next)));
    assert.deepStrictEqual(
      responses.map((r) => r.status),
      [200, 200, 200],
    );
    assert.strictEqual(refreshes, 1, 'one refresh for three refusals');
    assert.strictEqual(tokens, 2);
  });
});
