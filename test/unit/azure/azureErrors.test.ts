import * as assert from 'assert';
import { RestError } from '@azure/core-rest-pipeline';
import { AzureTimeoutError, describeAzureError, SignInRequiredError } from '../../../src/azure/azureErrors';

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
