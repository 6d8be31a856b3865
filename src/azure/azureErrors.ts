import { field, isRecord, numberField, stringField } from '../common/fields';
import { armErrorBodyOf } from './armErrorBodies';
import { describeShortfall, readQuotaShortfall } from './quotaRefusal';

/**
 * Turns what the Azure SDK throws into a message a user can act on: what went wrong, in Azure's
 * words where it has any, and what to do about it.
 */

/** Thrown when no token can be had without the user signing in (again). */
export class SignInRequiredError extends Error {
  override readonly name = 'SignInRequiredError';
}

/** Thrown when a request ran past its time limit. */
export class AzureTimeoutError extends Error {
  override readonly name = 'AzureTimeoutError';
}

export type AzureErrorKind =
  | 'signIn'
  | 'forbidden'
  | 'notFound'
  | 'throttled'
  | 'server'
  | 'timeout'
  | 'network'
  | 'certificate'
  | 'capacity'
  | 'quota'
  | 'conflict'
  | 'malformed'
  | 'other';

export interface AzureProblem {
  readonly kind: AzureErrorKind;
  /** What went wrong, in one sentence (Azure's own message where it gave one). */
  readonly message: string;
  /** What the user can do about it. */
  readonly advice: string;
  /** Azure's error code (AllocationFailed, AuthorizationFailed…), when there is one. */
  readonly code?: string;
  readonly status?: number;
  /** A page where the user can act on it (the quota request). */
  readonly link?: string;
}

/** What tells errors apart, read off whatever was thrown (the SDK's RestError, Node's system errors…). */
interface ErrorFields {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly statusCode?: number;
  /** The RestError's request, to look up the error body Resource Manager sent for it. */
  readonly request?: object;
  readonly cause?: unknown;
}

function errorFields(error: unknown): ErrorFields {
  const request = field(error, 'request');
  return {
    name: stringField(error, 'name'),
    message: stringField(error, 'message'),
    code: stringField(error, 'code'),
    statusCode: numberField(error, 'statusCode'),
    request: isRecord(request) ? request : undefined,
    cause: field(error, 'cause'),
  };
}

const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'REQUEST_SEND_ERROR',
]);
const CAPACITY_CODES = new Set([
  'AllocationFailed',
  'ZonalAllocationFailed',
  'OverconstrainedAllocationRequest',
  'OverconstrainedZonalAllocationRequest',
  'SkuNotAvailable',
]);
const QUOTA_CODES = new Set(['QuotaExceeded', 'SkuQuotaExceeded']);

/** "The long-running operation has failed. AllocationFailed. Allocation failed. …" (core-lro's wording). */
const LRO_FAILURE = /^The long-running operation has failed\. ([A-Za-z]+)\. ([\s\S]*)$/;

export function describeAzureError(error: unknown): AzureProblem {
  if (error instanceof SignInRequiredError) {
    return { kind: 'signIn', message: error.message, advice: 'Sign in to Azure again.' };
  }
  if (error instanceof AzureTimeoutError) {
    return { kind: 'timeout', message: error.message, advice: 'Azure may be slow right now; retry in a moment.' };
  }
  const err = errorFields(error);
  const message = err.message ?? String(error);
  const lro = LRO_FAILURE.exec(message);
  if (lro) return operationFailure(lro[1], lro[2].trim());

  const transportCode = innermostCode(err);
  if (transportCode && CERTIFICATE_CODES.has(transportCode)) {
    return {
      kind: 'certificate',
      message: `The Azure endpoint's TLS certificate is not trusted (${transportCode}).`,
      advice: 'If a corporate proxy or a private endpoint signs it, set azurePytorch.caCertificate to its CA certificate (PEM).',
      code: transportCode,
    };
  }
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return { kind: 'timeout', message: 'The request to Azure timed out.', advice: 'Azure may be slow right now; retry in a moment.' };
  }
  if (err.code === 'PARSE_ERROR') {
    return {
      kind: 'malformed',
      message: `Azure sent a response that could not be read: ${message}`,
      advice: 'Retry; if it persists, the endpoint may not be Azure Resource Manager.',
      code: err.code,
    };
  }
  if (err.name === 'ForeignOriginError') {
    return { kind: 'other', message, advice: 'Check azurePytorch.resourceManagerEndpoint; if it is right, retry later.' };
  }
  if (err.name === 'CredentialUnavailableError' || err.name === 'AuthenticationError' || err.name === 'AuthenticationRequiredError') {
    return signInFailure(message);
  }
  const status = err.statusCode;
  if (status === undefined) {
    if (transportCode && NETWORK_CODES.has(transportCode)) {
      return {
        kind: 'network',
        message: `Could not reach Azure Resource Manager (${transportCode}).`,
        advice: 'Check the network connection, a proxy (http.proxy), or azurePytorch.resourceManagerEndpoint.',
        code: transportCode,
      };
    }
    return { kind: 'other', message, advice: 'Retry; if it persists, see the Azure PyTorch output for details.' };
  }
  const body = armErrorBodyOf(err.request);
  const code = err.code ?? body?.code;
  const azureMessage = body?.message ?? message;
  return describeStatus(status, code, azureMessage);
}

function describeStatus(status: number, code: string | undefined, message: string): AzureProblem {
  if (status === 401) {
    return { kind: 'signIn', message: 'Azure did not accept the sign-in (401).', advice: 'Sign in to Azure again.', code, status };
  }
  if (status === 403) {
    return {
      kind: 'forbidden',
      message: `Access denied: ${message}`,
      advice:
        'Ask an owner of the subscription for a role that allows it (for example Virtual Machine Contributor), ' +
        'or hide the subscription with Select Subscriptions.',
      code,
      status,
    };
  }
  if (status === 404) {
    return { kind: 'notFound', message, advice: 'It may have been deleted; refresh the view.', code, status };
  }
  if (status === 400 || status === 409) {
    const refused = refusal(code, message, status);
    if (refused) return refused;
  }
  if (status === 409) {
    return { kind: 'conflict', message, advice: 'Another operation is running on it; wait for it to finish and retry.', code, status };
  }
  if (status === 429) {
    return {
      kind: 'throttled',
      message: `Azure is throttling requests (429): ${message}`,
      advice: 'Wait a minute, then retry.',
      code,
      status,
    };
  }
  if (status >= 500) {
    return {
      kind: 'server',
      message: `Azure returned an error (${status}): ${message}`,
      advice: 'This is usually temporary; retry in a moment.',
      code,
      status,
    };
  }
  return { kind: 'other', message, advice: 'See the Azure PyTorch output for details.', code, status };
}

function operationFailure(code: string, message: string): AzureProblem {
  return (
    refusal(code, `${code}: ${message}`) ?? {
      kind: 'other',
      message: `${code}: ${message}`,
      advice: "See the VM's activity log in the Azure portal.",
      code,
    }
  );
}

/**
 * Azure declining for want of capacity or quota, as a plain response (409) or a failed operation.
 * OperationNotAllowed is a quota refusal only when its message says so: it also means "another
 * operation is in progress".
 */
function refusal(code: string | undefined, message: string, status?: number): AzureProblem | undefined {
  if (code && CAPACITY_CODES.has(code)) {
    return {
      kind: 'capacity',
      message,
      advice: 'Azure has no capacity for this size there right now. Retry later, or move the VM to another size, zone or region.',
      code,
      status,
    };
  }
  if (!(code && QUOTA_CODES.has(code)) && !/quota/i.test(message)) return undefined;
  const shortfall = readQuotaShortfall(message);
  const newLimit = shortfall.newLimit === undefined ? 'a higher vCPU quota' : `a vCPU quota of at least ${shortfall.newLimit}`;
  const family = shortfall.family ? ` for ${shortfall.family}` : ' for this VM family';
  const location = shortfall.location ? ` in ${shortfall.location}` : '';
  return {
    kind: 'quota',
    message: describeShortfall(shortfall) ?? message,
    advice: `Request ${newLimit}${family}${location}: ${shortfall.requestLink}`,
    code,
    status,
    link: shortfall.requestLink,
  };
}

function signInFailure(message: string): AzureProblem {
  if (/endpoints_resolution_error|network_error|ENOTFOUND|ECONNREFUSED|certificate/i.test(message)) {
    return {
      kind: 'network',
      message: 'Could not reach the Microsoft Entra sign-in endpoint.',
      advice:
        'Check the network and azurePytorch.authorityHost; behind a proxy that inspects TLS, ' +
        'set azurePytorch.caCertificate to its CA certificate (PEM).',
    };
  }
  return {
    kind: 'signIn',
    message: `Signing in to Azure failed: ${message.split('\n')[0]}`,
    advice: 'Check the credential (azurePytorch.credential) and sign in again.',
  };
}

function innermostCode(err: ErrorFields): string | undefined {
  let code = err.code;
  let cause = err.cause;
  for (let depth = 0; cause && depth < 5; depth++) {
    code = stringField(cause, 'code') || code;
    cause = field(cause, 'cause');
  }
  return code;
}

/** One line: "message — advice". */
export function formatAzureProblem(problem: AzureProblem): string {
  return `${problem.message.replace(/\.$/, '')}. ${problem.advice}`;
}
