/**
 * The HTTPS server and the order every request goes through:
 * admin (/_sandbox, served as is) → latency → fault → token endpoint → bearer token (a managed identity's:
 * its role assignments) → api-version → route.
 */
import type * as http from 'http';
import * as https from 'https';
import type { AdminApi } from './admin';
import type { Certificate } from './certificate';
import { ArmError } from './errors';
import { type FaultInjector, applyFault } from './faults';
import { type RequestContext, readBody, sendJson, sendRaw, sleep } from './http';
import { type RouteEnvironment, routeArmRequest } from './routes';
import { type TokenEndpoint, isTokenEndpointPath } from './token-endpoint';
import type { ManagedIdentities } from './managed-identities';
import type { TokenIssuer } from './tokens';

export interface RequestLogEntry {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  status?: number;
  /** Set when the connection closed before the request was answered: the client aborted it (or a reset fault). */
  aborted?: boolean;
}

export interface PipelineParts {
  readonly env: () => RouteEnvironment;
  readonly settings: { latencyMs: number };
  readonly faults: FaultInjector;
  readonly tokens: TokenIssuer;
  readonly tokenEndpoint: TokenEndpoint;
  readonly admin: AdminApi;
  readonly identities: ManagedIdentities;
}

const LOG_LIMIT = 10_000;

/** Repeated slashes are collapsed: Resource Manager accepts `//subscriptions/…`, which resources.getById sends. */
function requestUrl(raw: string, endpoint: string): URL {
  const queryStart = raw.indexOf('?');
  const pathPart = queryStart < 0 ? raw : raw.slice(0, queryStart);
  const query = queryStart < 0 ? '' : raw.slice(queryStart);
  return new URL(pathPart.replace(/\/{2,}/g, '/') + query, endpoint);
}

export class ArmServer {
  /** Resource Manager and token-endpoint requests received (admin requests excluded). */
  requestCount = 0;
  readonly requestLog: RequestLogEntry[] = [];
  private server?: https.Server;
  private endpointUrl?: string;

  constructor(private readonly parts: PipelineParts) {}

  get endpoint(): string {
    if (!this.endpointUrl) {
      throw new Error('The ARM stand-in is not listening');
    }
    return this.endpointUrl;
  }

  async listen(certificate: Certificate, port: number): Promise<string> {
    const server = https.createServer({ cert: certificate.certPem, key: certificate.keyPem }, (request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('The ARM stand-in has no TCP address');
    }
    this.server = server;
    this.endpointUrl = `https://127.0.0.1:${address.port}`;
    return this.endpointUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const ctx: RequestContext = {
      method,
      url: requestUrl(request.url ?? '/', this.endpoint),
      headers: request.headers,
      body: await readBody(request),
      endpoint: this.endpoint,
      response,
    };
    try {
      if (ctx.url.pathname.startsWith('/_sandbox/')) {
        await this.parts.admin.handle(ctx);
        return;
      }
      this.record(ctx);
      await this.serve(ctx);
    } catch (error) {
      if (response.headersSent || response.destroyed) {
        return;
      }
      const armError = error instanceof ArmError ? error : new ArmError(500, 'InternalServerError', `Sandbox error: ${String(error)}`);
      sendJson(ctx, armError.status, armError.body(), armError.headers);
    }
  }

  private record(ctx: RequestContext): void {
    this.requestCount++;
    const entry: RequestLogEntry = { method: ctx.method, path: ctx.url.pathname + ctx.url.search };
    if (this.requestLog.length >= LOG_LIMIT) {
      this.requestLog.shift();
    }
    this.requestLog.push(entry);
    ctx.response.on('finish', () => {
      entry.status = ctx.response.statusCode;
    });
    ctx.response.on('close', () => {
      if (!ctx.response.writableFinished) entry.aborted = true;
    });
  }

  private async serve(ctx: RequestContext): Promise<void> {
    const latencyMs = this.parts.settings.latencyMs;
    if (latencyMs > 0) {
      await sleep(latencyMs);
    }
    const fault = this.parts.faults.take(ctx.method, ctx.url.pathname + ctx.url.search);
    if (fault && (await applyFault(fault, ctx))) {
      return;
    }
    if (isTokenEndpointPath(ctx.url.pathname)) {
      this.parts.tokenEndpoint.handle(ctx);
      return;
    }
    const subject = this.parts.tokens.authenticate(ctx.headers.authorization);
    if (subject.kind === 'tenant' && subject.managedIdentity) {
      this.parts.identities.authorize(subject.managedIdentity.principalId, ctx.method, ctx.url.pathname);
    }
    if (!ctx.url.searchParams.get('api-version')) {
      throw new ArmError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const result = routeArmRequest(ctx.method, ctx.url, subject, this.parts.env(), ctx.body);
    if (result.body === undefined) {
      sendRaw(ctx, result.status, '', result.headers);
    } else {
      sendJson(ctx, result.status, result.body, result.headers);
    }
  }
}
