import * as assert from 'assert';
import { RestError } from '@azure/core-rest-pipeline';
import { AzureTimeoutError, describeAzureError, SignInRequiredError } from '../../../src/azure/azureErrors';
import { PORTAL_QUOTA_LINK } from '../../../src/azure/quotaRefusal';

describe('Azure errors', () => {
  it('asks to sign in again on a 401 or when no token can be had', () => {
    assert.strictEqual(describeAzureError(new RestError('x', { statusCode: 401 })).kind, 'signIn');
    assert.strictEqual(describeAzureError(new SignInRequiredError('You are not signed in to Azure.')).kind, 'signIn');
  });

  it("keeps Azure's message and code on a 403 and says what role to ask for", () => {
    const problem = describeAzureError(
      new RestError("The client 'x' does not have authorization", { statusCode: 403, code: 'AuthorizationFailed' }),
    );
    assert.strictEqual(problem.kind, 'forbidden');
    assert.strictEqual(problem.code, 'AuthorizationFailed');
    assert.match(problem.message, /does not have authorization/);
    assert.match(problem.advice, /Virtual Machine Contributor/);
  });

  it('tells throttling, server errors and time-outs apart', () => {
    assert.strictEqual(describeAzureError(new RestError('slow down', { statusCode: 429 })).kind, 'throttled');
    assert.strictEqual(describeAzureError(new RestError('boom', { statusCode: 503 })).kind, 'server');
    assert.strictEqual(describeAzureError(new AzureTimeoutError('took longer than 60 s')).kind, 'timeout');
  });

  it("reads a failed operation's Azure code: capacity and quota get their own advice", () => {
    const capacity = describeAzureError(
      new Error('The long-running operation has failed. AllocationFailed. Allocation failed. We do not have sufficient capacity.'),
    );
    assert.strictEqual(capacity.kind, 'capacity');
    assert.strictEqual(capacity.code, 'AllocationFailed');
    assert.match(capacity.message, /^AllocationFailed: Allocation failed/);
    const quota = describeAzureError(
      new Error(
        'The long-running operation has failed. QuotaExceeded. ' +
          'Operation could not be completed as it results in exceeding approved standardNCADSA100v4Family Cores quota.',
      ),
    );
    assert.strictEqual(quota.kind, 'quota');
    assert.match(quota.advice, /quota/);
  });

  it("reads a plain 409 quota refusal as quota, with the figures and the link from Azure's message", () => {
    const problem = describeAzureError(
      new RestError(
        'Operation could not be completed as it results in exceeding approved standardNCADSA100v4Family Cores quota. ' +
          'Additional details - Deployment Model: Resource Manager, Location: eastus, Current Limit: 24, Current Usage: 24, ' +
          'Additional Required: 24, (Minimum) New Limit Required: 48. Submit a request for Quota increase at ' +
          'https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView/Parameters/%7B%7D by specifying parameters.',
        { statusCode: 409, code: 'OperationNotAllowed' },
      ),
    );
    assert.strictEqual(problem.kind, 'quota');
    assert.strictEqual(
      problem.message,
      'Not enough vCPU quota: 24 of 24 standardNCADSA100v4Family vCPUs in eastus are in use; this needs 24 more',
    );
    assert.strictEqual(
      problem.link,
      'https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView/Parameters/%7B%7D',
    );
    assert.match(problem.advice, /^Request a vCPU quota of at least 48 for standardNCADSA100v4Family in eastus: https:\/\/aka\.ms\//);
  });

  it("points at the portal's quota page when a quota refusal carries no figures or link", () => {
    const problem = describeAzureError(new RestError('Quota exceeded for this subscription.', { statusCode: 409, code: 'QuotaExceeded' }));
    assert.strictEqual(problem.kind, 'quota');
    assert.strictEqual(problem.message, 'Quota exceeded for this subscription.');
    assert.strictEqual(problem.link, PORTAL_QUOTA_LINK);
    assert.match(problem.advice, /^Request a higher vCPU quota for this VM family: https:\/\/portal\.azure\.com\//);
  });

  it('reads plain 409 capacity refusals as capacity: try another zone, region or size', () => {
    for (const code of ['SkuNotAvailable', 'ZonalAllocationFailed', 'AllocationFailed']) {
      const problem = describeAzureError(new RestError('Not available.', { statusCode: 409, code }));
      assert.strictEqual(problem.kind, 'capacity', code);
      assert.strictEqual(problem.code, code);
      assert.match(problem.advice, /another size, zone or region/);
    }
  });

  it('keeps the conflict advice for an OperationNotAllowed that is not about quota', () => {
    const problem = describeAzureError(
      new RestError("Operation 'start' is not allowed on VM 'x' since another operation ('deallocate') is in progress.", {
        statusCode: 409,
        code: 'OperationNotAllowed',
      }),
    );
    assert.strictEqual(problem.kind, 'conflict');
    assert.match(problem.advice, /wait for it to finish/);
  });

  it('points at azurePytorch.caCertificate when the endpoint certificate is not trusted', () => {
    const problem = describeAzureError(
      new RestError('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
    );
    assert.strictEqual(problem.kind, 'certificate');
    assert.match(problem.advice, /azurePytorch\.caCertificate/);
  });

  it('says the endpoint is unreachable on a refused connection', () => {
    assert.strictEqual(describeAzureError(new RestError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' })).kind, 'network');
  });
});
