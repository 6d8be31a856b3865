/**
 * Fault injection. A rule matches a method and a path regex (tested, case-insensitively, against
 * the path plus query) and applies `times` times, or always when `times` is absent. The first
 * matching rule wins. Faults apply to Resource Manager and token-endpoint requests, never to the
 * admin paths under /_sandbox.
 *
 * An 'error' with a `code` answers as Azure refuses: e.g. { kind: 'error', method: 'POST', path:
 * '/start', code: 'OperationNotAllowed' } is a 409 quota refusal in Azure's words (see
 * refusal-messages.ts). An 'accepted' answers 202 with Azure-AsyncOperation and Location set to
 * `pollUrl`, e.g. a URL on another origin. A 'respond' answers `body` as JSON (status 200 by
 * default): a response in any shape Azure gives, e.g. a list that names one VM twice. A 'forbidden'
 * answers 403 AuthorizationFailed naming the action the request needs, as Azure does (e.g.
 * 'Microsoft.Network/publicIPAddresses/read' for the subscription's public IP list). A 'notFound'
 * answers 404 ResourceNotFound for the resource the path names, in Azure's words (e.g. a NIC read
 * while the VM it belongs to is being changed).
 */
import { jsonAt, jsonMember, jsonNumber, jsonOneOf, jsonString } from '../../json';
import { authorizationFailedMessage } from './authorization-failure';
import { ArmError, noRoute, resourceNotFound } from './errors';
import { type RequestContext, sendJson, sendRaw, sleep } from './http';
import { REFUSAL_MESSAGES } from './refusal-messages';

export type FaultKind =
  'throttle' | 'error' | 'unauthorized' | 'forbidden' | 'notFound' | 'malformed' | 'delay' | 'reset' | 'accepted' | 'respond';

export interface FaultRule {
  kind: FaultKind;
  /** GET, POST…; any method when absent. */
  method?: string;
  /** A regular expression source; every path when absent. */
  path?: string;
  /** For 'error': the status (409 with a `code`, else 500; 502, 503, 504…). */
  status?: number;
  /** For 'error': Azure's error code (OperationNotAllowed, SkuNotAvailable, ZonalAllocationFailed…). */
  code?: string;
  /** For 'error' and 'forbidden': Azure's message; by default Azure's own wording for the code or the request. */
  message?: string;
  /** For 'accepted': the URL the operation is to be polled at. */
  pollUrl?: string;
  /** For 'respond': the JSON to answer with. */
  body?: unknown;
  /** For 'throttle' (default 1) and, when given, 'error' 503. */
  retryAfterSeconds?: number;
  /** For 'delay': how long to hold the request before serving it normally. */
  delayMs?: number;
  times?: number;
}

export interface ActiveFault {
  readonly id: number;
  readonly rule: FaultRule;
  /** How many requests this rule has hit. */
  hits: number;
  /** Uses left; Infinity for an always-rule. */
  remaining: number;
}

const KINDS: readonly FaultKind[] = [
  'throttle',
  'error',
  'unauthorized',
  'forbidden',
  'notFound',
  'malformed',
  'delay',
  'reset',
  'accepted',
  'respond',
];

/** A rule as JSON gives it (the admin API's body), each member checked for its type. */
export function parseFaultRule(json: unknown): FaultRule {
  return {
    kind: jsonOneOf(KINDS, json, 'kind'),
    ...jsonMember(json, 'method', jsonString),
    ...jsonMember(json, 'path', jsonString),
    ...jsonMember(json, 'status', jsonNumber),
    ...jsonMember(json, 'code', jsonString),
    ...jsonMember(json, 'message', jsonString),
    ...jsonMember(json, 'pollUrl', jsonString),
    ...jsonMember(json, 'body', jsonAt),
    ...jsonMember(json, 'retryAfterSeconds', jsonNumber),
    ...jsonMember(json, 'delayMs', jsonNumber),
    ...jsonMember(json, 'times', jsonNumber),
  };
}

/** A fault as the admin API lists it. JSON has no Infinity: an always-rule's `remaining` arrives as null. */
export function parseActiveFault(json: unknown): ActiveFault {
  return {
    id: jsonNumber(json, 'id'),
    rule: parseFaultRule(jsonAt(json, 'rule')),
    hits: jsonNumber(json, 'hits'),
    remaining: jsonAt(json, 'remaining') === null ? Infinity : jsonNumber(json, 'remaining'),
  };
}

interface CompiledFault extends ActiveFault {
  readonly pattern?: RegExp;
}

export class FaultInjector {
  private rules: CompiledFault[] = [];
  private nextId = 1;

  /** Adds a rule; returns its live record (watch `hits`). Throws on an invalid rule. */
  add(rule: FaultRule): ActiveFault {
    if (!KINDS.includes(rule.kind)) {
      throw new Error(`Unknown fault kind '${rule.kind}'; expected one of ${KINDS.join(', ')}`);
    }
    if (rule.kind === 'accepted' && !rule.pollUrl) {
      throw new Error("An 'accepted' fault needs a pollUrl");
    }
    if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0)) {
      throw new Error(`Fault 'times' must be a positive integer, got ${rule.times}`);
    }
    const compiled: CompiledFault = {
      id: this.nextId++,
      rule,
      hits: 0,
      remaining: rule.times ?? Infinity,
      pattern: rule.path === undefined ? undefined : new RegExp(rule.path, 'i'),
    };
    this.rules.push(compiled);
    return compiled;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFault[] {
    return this.rules.map(({ id, rule, hits, remaining }) => ({ id, rule, hits, remaining }));
  }

  /** The first rule matching the request, with one use consumed; spent rules are dropped. */
  take(method: string, pathAndQuery: string): ActiveFault | undefined {
    const found = this.rules.find(
      (r) =>
        (r.rule.method === undefined || r.rule.method.toUpperCase() === method) &&
        (r.pattern === undefined || r.pattern.test(pathAndQuery)),
    );
    if (!found) {
      return undefined;
    }
    found.hits++;
    found.remaining--;
    if (found.remaining <= 0) {
      this.remove(found.id);
    }
    return found;
  }
}

/**
 * Serves the fault. Returns true when the request has been answered (or its socket destroyed);
 * false for 'delay', after which the request is served normally.
 */
export async function applyFault(fault: ActiveFault, ctx: RequestContext): Promise<boolean> {
  const rule = fault.rule;
  switch (rule.kind) {
    case 'delay':
      await sleep(rule.delayMs ?? 1000);
      return false;
    case 'reset':
      ctx.response.socket?.destroy();
      return true;
    case 'malformed':
      sendRaw(ctx, 200, '{"value":[{"id":"/subscriptions/', { 'Content-Type': 'application/json; charset=utf-8' });
      return true;
    case 'throttle': {
      const seconds = rule.retryAfterSeconds ?? 1;
      const error = new ArmError(
        429,
        'TooManyRequests',
        `Number of requests exceeded the limit (sandbox fault). Please try again after '${seconds}' seconds.`,
        { 'Retry-After': String(seconds) },
      );
      sendJson(ctx, error.status, error.body(), error.headers);
      return true;
    }
    case 'error': {
      const status = rule.status ?? (rule.code ? 409 : 500);
      const code =
        rule.code ??
        (status === 503 ? 'ServiceUnavailable' : status === 504 ? 'GatewayTimeout' : status === 502 ? 'BadGateway' : 'InternalServerError');
      const message =
        rule.message ?? (rule.code && REFUSAL_MESSAGES[rule.code]) ?? `The server encountered an internal error (sandbox fault ${status}).`;
      const headers: Record<string, string> = rule.retryAfterSeconds !== undefined ? { 'Retry-After': String(rule.retryAfterSeconds) } : {};
      sendJson(ctx, status, new ArmError(status, code, message).body(), headers);
      return true;
    }
    case 'respond':
      sendJson(ctx, rule.status ?? 200, rule.body);
      return true;
    case 'accepted': {
      const pollUrl = rule.pollUrl ?? '';
      sendRaw(ctx, 202, '', { 'Azure-AsyncOperation': pollUrl, Location: pollUrl, 'Retry-After': '0' });
      return true;
    }
    case 'unauthorized': {
      const challenge =
        `Bearer authorization_uri="${ctx.endpoint}/", error="invalid_token", ` +
        'error_description="The access token is invalid (sandbox fault)."';
      sendJson(ctx, 401, new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.').body(), {
        'WWW-Authenticate': challenge,
      });
      return true;
    }
    case 'forbidden': {
      const message = rule.message ?? authorizationFailedMessage(ctx.method, ctx.url.pathname);
      sendJson(ctx, 403, new ArmError(403, 'AuthorizationFailed', message).body());
      return true;
    }
    case 'notFound': {
      const error = notFoundFor(ctx.url.pathname);
      sendJson(ctx, error.status, rule.message ? new ArmError(404, error.code, rule.message).body() : error.body());
      return true;
    }
  }
}

/** The 404 Azure gives for the resource a path names: `…/resourceGroups/{g}/providers/{ns}/{type}/{name}`. */
function notFoundFor(pathname: string): ArmError {
  const match = /\/resourceGroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)/i.exec(pathname);
  return match ? resourceNotFound(match[2], match[3], match[1]) : noRoute('GET', pathname);
}
