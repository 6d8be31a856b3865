import { createPipelineRequest, RestError, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';

/** A client that sends requests through an SDK pipeline (auth, retries, TLS): any ServiceClient. */
export interface PipelineSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

/**
 * GETs a Resource Manager URL through the SDK pipeline and parses its JSON, throwing a RestError
 * like the SDK's own for an error status or an unreadable body. For the list operations that no
 * SDK package the extension ships covers (network interfaces and public IPs of a subscription).
 */
export async function armGetJson<T>(client: PipelineSender, url: string, abortSignal?: AbortSignal): Promise<T> {
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
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new RestError(error?.message ?? `Resource Manager answered ${response.status}`, {
      code: error?.code,
      statusCode: response.status,
      request,
      response,
    });
  }
  return body as T;
}

/** Every item of a paged Resource Manager list, following `nextLink`. */
export async function armListAll<T>(client: PipelineSender, url: string, abortSignal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = url;
  while (next) {
    const page: { value?: T[]; nextLink?: string } = await armGetJson(client, next, abortSignal);
    if (!Array.isArray(page?.value)) {
      throw new RestError('Resource Manager sent a list without a value array.', { code: 'PARSE_ERROR' });
    }
    items.push(...page.value);
    next = page.nextLink ?? undefined;
  }
  return items;
}
