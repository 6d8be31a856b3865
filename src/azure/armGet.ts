import { createPipelineRequest, RestError, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { arrayField, field, stringField } from '../common/fields';

/** A client that sends requests through an SDK pipeline (auth, retries, TLS): any ServiceClient. */
export interface PipelineSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

/**
 * GETs a Resource Manager URL through the SDK pipeline and parses its JSON (left for the caller to
 * narrow), throwing a RestError like the SDK's own for an error status or an unreadable body. For
 * the list operations that no SDK package the extension ships covers (network interfaces and
 * public IPs of a subscription).
 */
export async function armGetJson(client: PipelineSender, url: string, abortSignal?: AbortSignal): Promise<unknown> {
  const request = createPipelineRequest({ url, method: 'GET', abortSignal });
  request.headers.set('Accept', 'application/json');
  const response = await client.sendRequest(request);
  const text = response.bodyAsText ?? '';
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new RestError(`Resource Manager sent a body that is not JSON (status ${response.status}): ${text.slice(0, 120)}`, {
      code: 'PARSE_ERROR',
      statusCode: response.status < 300 ? undefined : response.status,
      request,
      response,
    });
  }
  if (response.status >= 300) {
    const error = field(body, 'error');
    throw new RestError(stringField(error, 'message') ?? `Resource Manager answered ${response.status}`, {
      code: stringField(error, 'code'),
      statusCode: response.status,
      request,
      response,
    });
  }
  return body;
}

/** Every item of a paged Resource Manager list (each left for the caller to narrow), following `nextLink`. */
export async function armListAll(client: PipelineSender, url: string, abortSignal?: AbortSignal): Promise<unknown[]> {
  const items: unknown[] = [];
  let next: string | undefined = url;
  while (next) {
    const page = await armGetJson(client, next, abortSignal);
    const value = arrayField(page, 'value');
    if (!value) {
      throw new RestError('Resource Manager sent a list without a value array.', { code: 'PARSE_ERROR' });
    }
    items.push(...value);
    next = stringField(page, 'nextLink');
  }
  return items;
}
