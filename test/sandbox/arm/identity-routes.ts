/**
 * What turning on a VM's managed identity and giving it a role takes, in Azure's REST shapes: the
 * VM's `identity` on GET, PATCH `{ identity: { type: 'SystemAssigned' } }` on the VM, and the role
 * assignments at the VM's scope (GET the list, PUT one). The identities themselves live in
 * managed-identities.ts; a user who may not assign roles is a 'forbidden' fault on the PUT.
 */
import { jsonAt, jsonOptionalString } from '../../json';
import { ArmError } from './errors';
import type { ArmRequest, ArmResponse, Route, RouteEnvironment } from './routes';
import { virtualMachineBody } from './shapes';
import type { RoleAssignment } from './managed-identities';
import type { VirtualMachine } from './state';

const VM = '/subscriptions/(?<sub>[^/]+)/resourceGroups/(?<rg>[^/]+)/providers/Microsoft\\.Compute/virtualMachines/(?<vm>[^/]+)';
const ROLE_ASSIGNMENTS = `${VM}/providers/Microsoft\\.Authorization/roleAssignments`;

/** Built-in roles by their definition's GUID, as Azure names them. */
const BUILT_IN_ROLES: Record<string, string> = {
  '9980e02c-c2be-4d73-94e8-173b1dc7cf3c': 'Virtual Machine Contributor',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
};

function route(method: string, path: string, handle: (request: ArmRequest) => ArmResponse): Route {
  return { method, pattern: new RegExp(`^${path}/?$`, 'i'), handle };
}

function vmOf(request: ArmRequest): VirtualMachine {
  const vm = request.env.state.findVm(request.params.sub, request.params.rg, request.params.vm);
  if (!vm) {
    throw new ArmError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Compute/virtualMachines/${request.params.vm}' under resource group '${request.params.rg}' was not found.`,
    );
  }
  const tenantId = request.env.state.findSubscription(vm.subscriptionId)?.tenantId ?? '';
  request.env.tokens.authorizeTenant(request.subject, tenantId);
  return vm;
}

/** The VM's body with its `identity`, as Azure shows a VM with a system-assigned identity. */
export function withIdentity(body: object, vm: VirtualMachine, env: Pick<RouteEnvironment, 'identities' | 'state'>): object {
  const principalId = env.identities.principalOf(vm.name);
  if (!principalId) return body;
  const tenantId = env.state.findSubscription(vm.subscriptionId)?.tenantId ?? '';
  return { ...body, identity: { type: 'SystemAssigned', principalId, tenantId } };
}

function parseBody(request: ArmRequest): unknown {
  try {
    return JSON.parse(request.body);
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}

function patchVm(request: ArmRequest): ArmResponse {
  const vm = vmOf(request);
  const type = jsonAt(parseBody(request), 'identity', 'type');
  if (type !== undefined) {
    if (typeof type !== 'string' || !/systemassigned/i.test(type)) {
      throw new ArmError(400, 'InvalidParameter', `The identity type ${JSON.stringify(type)} is not supported here; use 'SystemAssigned'.`);
    }
    request.env.identities.enable(vm.name);
  }
  return { status: 200, body: withIdentity(virtualMachineBody(vm, false), vm, request.env) };
}

function roleAssignmentBody(assignment: RoleAssignment, subscriptionId: string): object {
  const guid =
    Object.entries(BUILT_IN_ROLES).find(([, name]) => name === assignment.roleDefinitionName)?.[0] ?? assignment.roleDefinitionName;
  return {
    properties: {
      roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      principalId: assignment.principalId,
      principalType: 'ServicePrincipal',
      scope: assignment.scope,
      condition: null,
      conditionVersion: null,
    },
    id: assignment.id,
    type: 'Microsoft.Authorization/roleAssignments',
    name: assignment.id.split('/').pop(),
  };
}

function listRoleAssignments(request: ArmRequest): ArmResponse {
  const vm = vmOf(request);
  const filter = request.url.searchParams.get('$filter') ?? '';
  const assignedTo = /assignedTo\('([^']+)'\)/i.exec(filter)?.[1];
  const value = request.env.identities
    .assignmentsAt(vm.id)
    .filter((each) => assignedTo === undefined || each.principalId === assignedTo)
    .map((each) => roleAssignmentBody(each, vm.subscriptionId));
  return { status: 200, body: { value } };
}

function putRoleAssignment(request: ArmRequest): ArmResponse {
  const vm = vmOf(request);
  const body = parseBody(request);
  const roleDefinitionId = jsonOptionalString(body, 'properties', 'roleDefinitionId') ?? '';
  const principalId = jsonOptionalString(body, 'properties', 'principalId') ?? '';
  const role = BUILT_IN_ROLES[roleDefinitionId.split('/').pop()?.toLowerCase() ?? ''];
  if (!role)
    throw new ArmError(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${roleDefinitionId}' does not exist.`);
  if (principalId === '' || principalId !== request.env.identities.principalOf(vm.name)) {
    throw new ArmError(400, 'PrincipalNotFound', `Principal ${principalId} does not exist in the directory.`);
  }
  const existing = request.env.identities
    .assignmentsAt(vm.id)
    .find((each) => each.principalId === principalId && each.roleDefinitionName === role);
  if (existing) throw new ArmError(409, 'RoleAssignmentExists', 'The role assignment already exists.');
  const assignment = request.env.identities.grant(vm.name, { scope: vm.id, roleDefinitionName: role });
  return { status: 201, body: roleAssignmentBody(assignment, vm.subscriptionId) };
}

export const IDENTITY_ROUTES: readonly Route[] = [
  route('PATCH', VM, patchVm),
  route('GET', ROLE_ASSIGNMENTS, listRoleAssignments),
  route('PUT', `${ROLE_ASSIGNMENTS}/(?<name>[^/]+)`, putRoleAssignment),
];
