/** One request as the stand-in's handlers see it, and how they answer. */
import * as crypto from 'crypto';
import type * as http from 'http';

export interface RequestContext {
  readonly method: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The stand-in's own base URL, for absolute links (nextLink, operation URLs). */
  readonly endpoint: string;
  readonly response: http.ServerResponse;
}

export async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    if (!Buffer.isBuffer(chunk)) {
      throw new Error('a request without an encoding yields Buffers');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function standardHeaders(): Record<string, string> {
  const id = crypto.randomUUID();
  return { 'x-ms-request-id': id, 'x-ms-correlation-request-id': id, 'Cache-Control': 'no-cache' };
}

export function sendJson(ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(ctx, status, JSON.stringify(body), { 'Content-Type': 'application/json; charset=utf-8', ...headers });
}

export function sendRaw(ctx: RequestContext, status: number, text: string, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(text, 'utf8');
  ctx.response.writeHead(status, { ...standardHeaders(), 'Content-Length': String(payload.length), ...headers });
  ctx.response.end(payload);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
