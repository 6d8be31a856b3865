/**
 * What a VM needs to deallocate itself (the cost guard's watchdog): a system-assigned managed
 * identity, and a role on the VM that allows `Microsoft.Compute/virtualMachines/deallocate/action`
 * (Virtual Machine Contributor, scoped to the VM alone). Read and granted through Resource Manager.
 */
import * as crypto from 'crypto';
import { createPipelineRequest } from '@azure/core-rest-pipeline';
import { arrayField, field, stringField } from '../common/fields';
import type { ArmClients } from './armClients';
import { armGetJson } from './armGet';
import { parseResourceId } from './virtualMachine';

const COMPUTE_API = '2024-07-01';
const AUTHORIZATION_API = '2022-04-01';
export const VIRTUAL_MACHINE_CONTRIBUTOR = '9980e02c-c2be-4d73-94e8-173b1dc7cf3c';
/** Built-in roles that include deallocate: Virtual Machine Contributor, Contributor, Owner. */
const DEALLOCATING_ROLES = new Set([
  VIRTUAL_MACHINE_CONTRIBUTOR,
  'b24988ac-6180-42a0-ab88-20f7382dd24c',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
]);

export interface SelfDeallocation {
  /** The VM's system-assigned identity; undefined when it has none. */
  readonly principalId?: string;
  /** Whether that identity holds a role on the VM that may deallocate it. */
  readonly mayDeallocate: boolean;
}

/** Thrown when the signed-in user lacks a permission the change needs (a 403 from Resource Manager). */
export class PermissionMissing extends Error {
  constructor(
    readonly permission: string,
    message: string,
  ) {
    super(message);
  }
}

export async function readSelfDeallocation(clients: ArmClients, vmId: string, signal?: AbortSignal): Promise<SelfDeallocation> {
  const client = clients.resourcesFor(parseResourceId(vmId).subscriptionId);
  const base = clients.environment.endpoints.resourceManager.replace(/\/+$/, '');
  const model = await armGetJson(client, `${base}${vmId}?api-version=${COMPUTE_API}`, signal);
  const principalId = stringField(field(model, 'identity'), 'principalId');
  if (!principalId) return { mayDeallocate: false };
  const filter = encodeURIComponent(`assignedTo('${principalId}')`);
  const list = await armGetJson(
    client,
    `${base}${vmId}/providers/Microsoft.Authorization/roleAssignments?api-version=${AUTHORIZATION_API}&$filter=${filter}`,
    signal,
  );
  const mayDeallocate = (arrayField(list, 'value') ?? []).some((assignment) => {
    const properties = field(assignment, 'properties');
    const role = stringField(properties, 'roleDefinitionId')?.split('/').pop()?.toLowerCase();
    return stringField(properties, 'principalId') === principalId && role !== undefined && DEALLOCATING_ROLES.has(role);
  });
  return { principalId, mayDeallocate };
}

/**
 * Turns on the VM's system-assigned identity (PATCH of the VM) and assigns it Virtual Machine
 * Contributor on the VM alone. Throws PermissionMissing when the user may not do either.
 */
export async function enableSelfDeallocation(clients: ArmClients, vmId: string, signal?: AbortSignal): Promise<SelfDeallocation> {
  const { subscriptionId } = parseResourceId(vmId);
  const base = clients.environment.endpoints.resourceManager.replace(/\/+$/, '');
  const patched = await send(
    clients,
    subscriptionId,
    'PATCH',
    `${base}${vmId}?api-version=${COMPUTE_API}`,
    { identity: { type: 'SystemAssigned' } },
    'Microsoft.Compute/virtualMachines/write',
    signal,
  );
  const principalId = stringField(field(patched.body, 'identity'), 'principalId');
  if (!principalId) throw new Error('Resource Manager turned on the VM identity but named no principal: try again in a minute.');
  const assignment = `${base}${vmId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=${AUTHORIZATION_API}`;
  const roleDefinitionId = `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${VIRTUAL_MACHINE_CONTRIBUTOR}`;
  const body = { properties: { roleDefinitionId, principalId, principalType: 'ServicePrincipal' } };
  const put = await send(clients, subscriptionId, 'PUT', assignment, body, 'Microsoft.Authorization/roleAssignments/write', signal, [409]);
  if (put.status === 409 && put.code !== 'RoleAssignmentExists') throw new Error(put.message);
  return { principalId, mayDeallocate: true };
}

async function send(
  clients: ArmClients,
  subscriptionId: string,
  method: 'PATCH' | 'PUT',
  url: string,
  body: unknown,
  permission: string,
  signal?: AbortSignal,
  allowed: readonly number[] = [],
): Promise<{ status: number; body: unknown; code?: string; message: string }> {
  const request = createPipelineRequest({ url, method, body: JSON.stringify(body), abortSignal: signal });
  request.headers.set('Content-Type', 'application/json');
  const response = await clients.resourcesFor(subscriptionId).sendRequest(request);
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.bodyAsText ?? '');
  } catch {
    parsed = undefined;
  }
  const error = field(parsed, 'error');
  const code = stringField(error, 'code');
  const message = stringField(error, 'message') ?? `Resource Manager answered ${response.status}`;
  if (response.status === 403) {
    throw new PermissionMissing(permission, `Your Azure role lacks ${permission} on this VM: ${message}`);
  }
  if (response.status >= 300 && !allowed.includes(response.status)) throw new Error(message);
  return { status: response.status, body: parsed, code, message };
}
