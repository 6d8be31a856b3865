/**
 * Admin paths under /_sandbox, so that another process (an extension host under test, a demo
 * script) can steer the stand-in. No token needed; no latency or faults apply; not counted.
 *
 *   GET    /_sandbox/state                    cloud summary, request count, faults, settings
 *   GET    /_sandbox/requests                 the request log ({ method, path, status })
 *   GET    /_sandbox/faults                   active fault rules with their hit counts
 *   POST   /_sandbox/faults                   add a FaultRule (JSON) → 201 { id, ... }; e.g. a quota refusal of starts:
 *                                             { "kind": "error", "method": "POST", "path": "/start", "code": "OperationNotAllowed" }
 *   DELETE /_sandbox/faults[/{id}]            remove all rules, or one
 *   POST   /_sandbox/operation-failures       add an OperationFailure (JSON),
 *                                             e.g. { "vmName": "gpu-t4", "action": "start", "code": "AllocationFailed" }
 *   DELETE /_sandbox/operation-failures       remove them
 *   POST   /_sandbox/tokens/revoke            revoke issued tokens ({ "includeStatic": true } also the static one)
 *   POST   /_sandbox/tokens/expire            make issued tokens expired
 *   GET|POST /_sandbox/settings               read / change { latencyMs, pageSize, operationMs }
 *   POST   /_sandbox/vms/{name}/power-state   { "state": "deallocated" }: change a VM as if from the portal (hook runs)
 *   POST   /_sandbox/vms/{name}/managed-identity      give the VM a system-assigned identity → { principalId }
 *   POST   /_sandbox/vms/{name}/role-assignments      { "scope"?, "roleDefinitionName"? }: a role for its identity (on the VM by default)
 *   DELETE /_sandbox/vms/{name}/role-assignments      remove its identity's roles → { removed }
 *   …/_sandbox/capacity/…                     quotas, SKU restrictions, create failures (capacity-admin.ts)
 */
import { jsonAt, jsonBoolean, jsonMember, jsonNumber, jsonString, parseJson } from '../../json';
import { capacityAdmin } from './capacity-admin';
import { parseFaultRule, type FaultInjector } from './faults';
import { type RequestContext, sendJson } from './http';
import { parseOperationFailure, type OperationManager } from './operations';
import type { RequestLogEntry } from './server';
import type { ManagedIdentities } from './managed-identities';
import type { ArmState, PowerState } from './state';
import type { TokenIssuer } from './tokens';

export interface StandInSettings {
  latencyMs: number;
  pageSize: number;
  operationMs: number;
}

/** Settings as JSON gives them (GET /_sandbox/settings). */
export function parseStandInSettings(json: unknown): StandInSettings {
  return { latencyMs: jsonNumber(json, 'latencyMs'), pageSize: jsonNumber(json, 'pageSize'), operationMs: jsonNumber(json, 'operationMs') };
}

function parseSettingsChanges(json: unknown): Partial<StandInSettings> {
  return {
    ...jsonMember(json, 'latencyMs', jsonNumber),
    ...jsonMember(json, 'pageSize', jsonNumber),
    ...jsonMember(json, 'operationMs', jsonNumber),
  };
}

export interface AdminTarget {
  readonly state: ArmState;
  readonly faults: FaultInjector;
  readonly operations: OperationManager;
  readonly tokens: TokenIssuer;
  readonly identities: ManagedIdentities;
  readonly requestCount: number;
  readonly requestLog: readonly RequestLogEntry[];
  settings(): StandInSettings;
  updateSettings(changes: Partial<StandInSettings>): StandInSettings;
  /** Changes a VM's power state at once, as if from the portal; runs the hook first. */
  setPowerState(vmName: string, state: PowerState): Promise<void>;
}

class BadRequest extends Error {}

/** The request's body read by `parse`; an empty body is `{}`; what does not parse is a bad request. */
function parseBody<T>(ctx: RequestContext, parse: (json: unknown) => T): T {
  let json: unknown = {};
  if (ctx.body.trim() !== '') {
    try {
      json = parseJson(ctx.body);
    } catch {
      throw new BadRequest(`The body is not JSON: ${ctx.body.slice(0, 100)}`);
    }
  }
  try {
    return parse(json);
  } catch (error) {
    throw new BadRequest(error instanceof Error ? error.message : String(error));
  }
}

export const POWER_STATES: readonly PowerState[] = ['starting', 'running', 'stopping', 'stopped', 'deallocating', 'deallocated'];

export class AdminApi {
  constructor(private readonly target: () => AdminTarget) {}

  async handle(ctx: RequestContext): Promise<void> {
    try {
      const result = await this.dispatch(ctx, this.target());
      sendJson(ctx, result.status, result.body);
    } catch (error) {
      sendJson(ctx, error instanceof BadRequest ? 400 : 500, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async dispatch(ctx: RequestContext, t: AdminTarget): Promise<{ status: number; body: unknown }> {
    const path = ctx.url.pathname.replace(/\/+$/, '');
    const route = `${ctx.method} ${path}`;
    let match: RegExpExecArray | null;
    switch (route) {
      case 'GET /_sandbox/state':
        return {
          status: 200,
          body: {
            requestCount: t.requestCount,
            tokensIssued: t.tokens.issuedCount,
            settings: t.settings(),
            faults: t.faults.list(),
            ...t.state.summary(),
          },
        };
      case 'GET /_sandbox/requests':
        return { status: 200, body: t.requestLog };
      case 'GET /_sandbox/faults':
        return { status: 200, body: t.faults.list() };
      case 'POST /_sandbox/faults':
        try {
          return { status: 201, body: t.faults.add(parseBody(ctx, parseFaultRule)) };
        } catch (error) {
          throw new BadRequest(error instanceof Error ? error.message : String(error));
        }
      case 'DELETE /_sandbox/faults':
        t.faults.clear();
        return { status: 200, body: [] };
      case 'POST /_sandbox/operation-failures': {
        const failure = parseBody(ctx, (json) => {
          if (typeof jsonAt(json, 'code') !== 'string') {
            throw new BadRequest('An operation failure needs a "code", e.g. "AllocationFailed"');
          }
          return parseOperationFailure(json);
        });
        t.operations.failNext(failure);
        return { status: 201, body: failure };
      }
      case 'DELETE /_sandbox/operation-failures':
        t.operations.clearFailures();
        return { status: 200, body: {} };
      case 'POST /_sandbox/tokens/revoke':
        return {
          status: 200,
          body: { revoked: t.tokens.revokeAll(parseBody(ctx, (json) => jsonMember(json, 'includeStatic', jsonBoolean))) },
        };
      case 'POST /_sandbox/tokens/expire':
        return { status: 200, body: { expired: t.tokens.expireAll() } };
      case 'GET /_sandbox/settings':
        return { status: 200, body: t.settings() };
      case 'POST /_sandbox/settings':
        return { status: 200, body: t.updateSettings(parseBody(ctx, parseSettingsChanges)) };
    }
    if (ctx.method === 'DELETE' && (match = /^\/_sandbox\/faults\/(\d+)$/.exec(path))) {
      const removed = t.faults.remove(Number(match[1]));
      return { status: removed ? 200 : 404, body: { removed } };
    }
    if (ctx.method === 'POST' && (match = /^\/_sandbox\/vms\/([^/]+)\/power-state$/.exec(path))) {
      const requested = parseBody(ctx, (json) => jsonAt(json, 'state'));
      const state = POWER_STATES.find((candidate) => candidate === requested);
      if (!state) {
        throw new BadRequest(`"state" must be one of ${POWER_STATES.join(', ')}`);
      }
      const name = decodeURIComponent(match[1]);
      if (!t.state.vms.some((vm) => vm.name.toLowerCase() === name.toLowerCase())) {
        return { status: 404, body: { error: `No VM is named '${name}'` } };
      }
      await t.setPowerState(name, state);
      return { status: 200, body: { name, powerState: state } };
    }
    if ((match = /^\/_sandbox\/vms\/([^/]+)\/(managed-identity|role-assignments)$/.exec(path))) {
      const name = decodeURIComponent(match[1]);
      if (!t.state.vms.some((vm) => vm.name.toLowerCase() === name.toLowerCase())) {
        return { status: 404, body: { error: `No VM is named '${name}'` } };
      }
      if (ctx.method === 'POST' && match[2] === 'managed-identity') {
        return { status: 200, body: { principalId: t.identities.enable(name) } };
      }
      if (ctx.method === 'POST') {
        const options = parseBody(ctx, (json) => ({
          ...jsonMember(json, 'scope', jsonString),
          ...jsonMember(json, 'roleDefinitionName', jsonString),
        }));
        if (!t.identities.principalOf(name)) throw new BadRequest(`VM ${name} has no managed identity: POST its managed-identity first`);
        return { status: 201, body: t.identities.grant(name, options) };
      }
      if (ctx.method === 'DELETE' && match[2] === 'role-assignments') {
        return { status: 200, body: { removed: t.identities.revokeAll(name) } };
      }
    }
    try {
      const capacity = capacityAdmin(ctx.method, path, ctx.body, t.state.capacity);
      if (capacity) return capacity;
    } catch (error) {
      throw new BadRequest(error instanceof Error ? error.message : String(error));
    }
    return { status: 404, body: { error: `No admin route ${route}` } };
  }
}
