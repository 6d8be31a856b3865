import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { jsonArray, jsonAt, jsonEntries, jsonNumber, jsonString, parseJson } from '../../json';
import { type ArmStandIn, httpsRequest, startArmStandIn } from '../../sandbox/arm';
import { randomLoopbackPrefix } from '../../sandbox/hosts/loopback';
import { startInstanceMetadataStandIn, type InstanceMetadataStandIn } from '../../sandbox/imds';

// The instance metadata stand-in (a managed identity's token, Scheduled Events) and the Resource
// Manager stand-in's check of such a token: only on a VM where the identity holds a role.
const RESEARCH = '1f4a7c2e-9b3d-4e8a-b6c1-0d5e2f9a8b70';
const ARM_AUDIENCE = 'https://management.azure.com/';

interface Reply {
  status: number;
  json: unknown;
}

function metadataRequest(url: string, options: { method?: string; metadataHeader?: boolean; body?: unknown } = {}): Promise<Reply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.metadataHeader === false ? {} : { Metadata: 'true' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: parseJson(text) }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

describe('instance metadata stand-in and managed identities', () => {
  let stateDir: string;
  let arm: ArmStandIn;
  let imds: InstanceMetadataStandIn;
  const vmPath = (name: string): string =>
    `/subscriptions/${RESEARCH}/resourceGroups/rg-training/providers/Microsoft.Compute/virtualMachines/${name}`;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imds-'));
    arm = await startArmStandIn({ stateDir, operationMs: 50 });
    const prefix = randomLoopbackPrefix();
    imds = await startInstanceMetadataStandIn({
      vms: [
        { name: 'gpu-a100-1', address: `${prefix}2` },
        { name: 'gpu-a100-2', address: `${prefix}3` },
      ],
      identities: arm.identities,
    });
  });

  after(async () => {
    await imds?.close();
    await arm?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const tokenUrl = (vm: string, resource = ARM_AUDIENCE): string =>
    `${imds.endpointOf(vm)}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(resource)}`;

  async function tokenOf(vm: string, resource = ARM_AUDIENCE): Promise<string> {
    const reply = await metadataRequest(tokenUrl(vm, resource));
    assert.strictEqual(reply.status, 200, JSON.stringify(reply.json));
    return jsonString(reply.json, 'access_token');
  }

  function armRequest(method: string, pathAndQuery: string, token: string): ReturnType<typeof httpsRequest> {
    return httpsRequest(`${arm.endpoint}${pathAndQuery}`, arm.caPem, { method, headers: { Authorization: `Bearer ${token}` } });
  }

  it('listens on each VM’s own loopback address', () => {
    assert.match(imds.endpointOf('gpu-a100-1'), /^http:\/\/127\.\d+\.\d+\.2:\d+$/);
    assert.match(imds.endpointOf('gpu-a100-2'), /^http:\/\/127\.\d+\.\d+\.3:\d+$/);
  });

  it("serves every VM at one port, so that one URL with the VM's address names each VM's own; a VM added later too", async () => {
    const port = (vm: string): string => new URL(imds.endpointOf(vm)).port;
    assert.strictEqual(port('gpu-a100-2'), port('gpu-a100-1'));
    assert.strictEqual(port('gpu-a100-1'), String(imds.port));
    const address = new URL(imds.endpointOf('gpu-a100-1')).hostname.replace(/\.2$/, '.9');
    await imds.add({ name: 'gpu-t4', address });
    assert.strictEqual(imds.endpointOf('gpu-t4'), `http://${address}:${imds.port}`);
    const reply = await metadataRequest(tokenUrl('gpu-t4'));
    assert.strictEqual(reply.status, 400, 'it answers for its own VM (without an identity yet)');
  });

  it('refuses a request without the Metadata header, and a VM without an identity, as Azure does', async () => {
    assert.deepStrictEqual(await metadataRequest(tokenUrl('gpu-a100-1'), { metadataHeader: false }), {
      status: 400,
      json: { error: 'invalid_request', error_description: 'Required metadata header not specified' },
    });
    assert.deepStrictEqual(await metadataRequest(tokenUrl('gpu-a100-2')), {
      status: 400,
      json: { error: 'invalid_request', error_description: 'Identity not found' },
    });
  });

  it("gives the VM's identity a token in Azure's shape", async () => {
    const principalId = arm.identities.enable('gpu-a100-1');
    const reply = await metadataRequest(tokenUrl('gpu-a100-1'));
    assert.strictEqual(reply.status, 200);
    assert.deepStrictEqual(
      jsonEntries(reply.json)
        .map(([key]) => key)
        .sort(),
      ['access_token', 'client_id', 'expires_in', 'expires_on', 'ext_expires_in', 'not_before', 'resource', 'token_type'],
    );
    assert.strictEqual(jsonString(reply.json, 'token_type'), 'Bearer');
    assert.strictEqual(jsonString(reply.json, 'resource'), ARM_AUDIENCE);
    assert.match(jsonString(reply.json, 'expires_in'), /^\d+$/);
    const claims = parseJson(Buffer.from(jsonString(reply.json, 'access_token').split('.')[1], 'base64url').toString());
    assert.strictEqual(jsonString(claims, 'oid'), principalId);
    assert.strictEqual(jsonString(claims, 'xms_mirid'), arm.state.vmNamed('gpu-a100-1').id);
  });

  it('admits the token only on a VM where its identity holds a role, else 403 AuthorizationFailed', async () => {
    const principalId = arm.identities.enable('gpu-a100-1');
    const token = await tokenOf('gpu-a100-1');
    const refused = await armRequest('POST', `${vmPath('gpu-a100-1')}/deallocate?api-version=2024-07-01`, token);
    assert.strictEqual(refused.status, 403);
    assert.deepStrictEqual(refused.json, {
      error: {
        code: 'AuthorizationFailed',
        message:
          `The client '${principalId}' with object id '${principalId}' does not have authorization to perform action ` +
          `'Microsoft.Compute/virtualMachines/deallocate/action' over scope '${vmPath('gpu-a100-1')}' or the scope is invalid. ` +
          'If access was recently granted, please refresh your credentials.',
      },
    });
    arm.identities.grant('gpu-a100-1');
    const otherVm = await armRequest('POST', `${vmPath('gpu-a100-2')}/deallocate?api-version=2024-07-01`, token);
    assert.strictEqual(otherVm.status, 403);
    const list = await armRequest(
      'GET',
      `/subscriptions/${RESEARCH}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01`,
      token,
    );
    assert.strictEqual(list.status, 403, 'a role on one VM does not admit listing the subscription');
    const accepted = await armRequest('POST', `${vmPath('gpu-a100-1')}/deallocate?api-version=2024-07-01`, token);
    assert.strictEqual(accepted.status, 202);
    const operationUrl = new URL(String(accepted.headers['azure-asyncoperation']));
    const operation = await armRequest('GET', `${operationUrl.pathname}?api-version=2024-07-01`, token);
    assert.strictEqual(operation.status, 200, 'the identity reads the status of the operation it started');
    assert.strictEqual(arm.identities.revokeAll('gpu-a100-1'), 1);
    assert.strictEqual((await armRequest('GET', `${vmPath('gpu-a100-1')}?api-version=2024-07-01`, token)).status, 403);
  });

  it('gives a VM its identity and a role through the admin paths, for another process to steer', async () => {
    const admin = (method: string, vm: string, what: string, body?: unknown): ReturnType<typeof httpsRequest> =>
      httpsRequest(`${arm.endpoint}/_sandbox/vms/${vm}/${what}`, arm.caPem, { method, body });
    const noIdentity = await admin('POST', 'gpu-a100-2', 'role-assignments', {});
    assert.strictEqual(noIdentity.status, 400);
    const enabled = await admin('POST', 'gpu-a100-2', 'managed-identity');
    assert.strictEqual(jsonString(enabled.json, 'principalId'), arm.identities.principalOf('gpu-a100-2'));
    const token = await tokenOf('gpu-a100-2');
    assert.strictEqual((await armRequest('GET', `${vmPath('gpu-a100-2')}?api-version=2024-07-01`, token)).status, 403);
    const granted = await admin('POST', 'gpu-a100-2', 'role-assignments', {});
    assert.strictEqual(granted.status, 201);
    assert.strictEqual(jsonString(granted.json, 'scope'), arm.state.vmNamed('gpu-a100-2').id);
    assert.strictEqual(jsonString(granted.json, 'roleDefinitionName'), 'Virtual Machine Contributor');
    assert.strictEqual((await armRequest('GET', `${vmPath('gpu-a100-2')}?api-version=2024-07-01`, token)).status, 200);
    assert.strictEqual(jsonNumber((await admin('DELETE', 'gpu-a100-2', 'role-assignments')).json, 'removed'), 1);
    assert.strictEqual((await armRequest('GET', `${vmPath('gpu-a100-2')}?api-version=2024-07-01`, token)).status, 403);
    assert.strictEqual((await admin('POST', 'no-such-vm', 'managed-identity')).status, 404);
  });

  it("refuses a token asked for another resource than Resource Manager's", async () => {
    arm.identities.enable('gpu-a100-1');
    arm.identities.grant('gpu-a100-1');
    const token = await tokenOf('gpu-a100-1', 'https://vault.azure.net');
    const reply = await armRequest('GET', `${vmPath('gpu-a100-1')}?api-version=2024-07-01`, token);
    assert.strictEqual(reply.status, 401);
    assert.match(reply.text, /InvalidAuthenticationTokenAudience/);
  });

  it('shows a Preempt event to its VM only, until the VM approves it', async () => {
    const eventsUrl = (vm: string): string => `${imds.endpointOf(vm)}/metadata/scheduledevents?api-version=2020-07-01`;
    const empty = await metadataRequest(eventsUrl('gpu-a100-1'));
    assert.deepStrictEqual(jsonAt(empty.json, 'Events'), []);
    imds.schedulePreempt('gpu-a100-1');
    const notice = await metadataRequest(eventsUrl('gpu-a100-1'));
    const events = jsonArray(notice.json, 'Events');
    assert.strictEqual(events.length, 1);
    assert.match(jsonString(events[0], 'NotBefore'), / GMT$/);
    assert.deepStrictEqual(
      { ...Object.fromEntries(jsonEntries(events[0])), EventId: 'id', NotBefore: 'time' },
      {
        EventId: 'id',
        EventType: 'Preempt',
        ResourceType: 'VirtualMachine',
        Resources: ['gpu-a100-1'],
        EventStatus: 'Scheduled',
        NotBefore: 'time',
        Description: 'Virtual machine is being evicted.',
        EventSource: 'Platform',
        DurationInSeconds: -1,
      },
    );
    assert.ok(jsonNumber(notice.json, 'DocumentIncarnation') > jsonNumber(empty.json, 'DocumentIncarnation'));
    assert.deepStrictEqual(jsonAt((await metadataRequest(eventsUrl('gpu-a100-2'))).json, 'Events'), []);
    const approve = await metadataRequest(eventsUrl('gpu-a100-1'), {
      method: 'POST',
      body: { StartRequests: [{ EventId: jsonString(events[0], 'EventId') }] },
    });
    assert.strictEqual(approve.status, 200);
    assert.deepStrictEqual(jsonAt((await metadataRequest(eventsUrl('gpu-a100-1'))).json, 'Events'), []);
  });
});
