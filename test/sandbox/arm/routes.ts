/**
 * The Resource Manager routes the stand-in serves: subscriptions, tenants, resource groups, VMs
 * (list, get, instance view, power actions and their operation status), Compute SKUs, NICs and
 * public IPs. Paths match case-insensitively, as in Azure.
 */
import { ArmError, noRoute, resourceGroupNotFound, resourceNotFound, subscriptionNotFound } from './errors';
import type { OperationManager } from './operations';
import { VM_ACTIONS } from './operations';
import { page } from './paging';
import { PROVISIONING_ROUTES } from './provisioning-routes';
import { SCALE_SET_ROUTES, scaleSetsOf } from './scale-sets';
import { restrictionBodies } from './capacity';
import { NIC_TYPE, PUBLIC_IP_TYPE, VM_TYPE } from './resource-ids';
import {
  instanceViewBody,
  networkInterfaceBody,
  publicIpAddressBody,
  resourceGroupBody,
  skuBody,
  subscriptionBody,
  tenantBody,
  virtualMachineBody,
  virtualMachineStatusBody,
} from './shapes';
import type { ArmState, Subscription, VirtualMachine } from './state';
import type { TokenIssuer, TokenSubject } from './tokens';
import { IDENTITY_ROUTES, withIdentity } from './identity-routes';
import type { ManagedIdentities } from './managed-identities';

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteEnvironment {
  readonly state: ArmState;
  readonly operations: OperationManager;
  readonly tokens: TokenIssuer;
  readonly pageSize: number;
  readonly endpoint: string;
  readonly identities: ManagedIdentities;
}

export interface ArmRequest {
  readonly url: URL;
  /** The request body as sent (PUT parameters); '' when none. */
  readonly body: string;
  readonly params: Record<string, string>;
  readonly subject: TokenSubject;
  readonly env: RouteEnvironment;
}

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  /** Undefined passes the request on to the next matching route. */
  readonly handle: (request: ArmRequest) => ArmResponse | undefined;
}

const SUB = '/subscriptions/(?<sub>[^/]+)';
const RG = `${SUB}/resourceGroups/(?<rg>[^/]+)`;
const VMS = `${RG}/providers/Microsoft\\.Compute/virtualMachines`;

function route(method: string, path: string, handle: (request: ArmRequest) => ArmResponse): Route {
  return { method, pattern: new RegExp(`^${path}/?$`, 'i'), handle };
}

function ok(body: unknown): ArmResponse {
  return { status: 200, body };
}

/** The subscription in the path, checked against the token's tenant. */
function subscriptionOf(request: ArmRequest): Subscription {
  const subscription = request.env.state.findSubscription(request.params.sub);
  if (!subscription) {
    throw subscriptionNotFound(request.params.sub);
  }
  request.env.tokens.authorizeTenant(request.subject, subscription.tenantId);
  return subscription;
}

function resourceGroupOf(request: ArmRequest): { subscription: Subscription; group: string } {
  const subscription = subscriptionOf(request);
  const group = request.env.state.findResourceGroup(subscription.subscriptionId, request.params.rg);
  if (!group) {
    throw resourceGroupNotFound(request.params.rg);
  }
  return { subscription, group: group.name };
}

function vmOf(request: ArmRequest): VirtualMachine {
  const { subscription, group } = resourceGroupOf(request);
  const vm = request.env.state.findVm(subscription.subscriptionId, group, request.params.vm);
  if (!vm) {
    throw resourceNotFound(VM_TYPE, request.params.vm, request.params.rg);
  }
  return vm;
}

function paged<T>(request: ArmRequest, items: readonly T[], toBody: (item: T) => unknown): ArmResponse {
  return ok(page(items, toBody, request.url, request.env.endpoint, request.env.pageSize));
}

function listVirtualMachines(request: ArmRequest, group?: string): ArmResponse {
  const subscription = subscriptionOf(request);
  if (group !== undefined) {
    resourceGroupOf(request);
  }
  const statusOnly = request.url.searchParams.get('statusOnly')?.toLowerCase() === 'true';
  const vms = request.env.state.vmsOf(subscription.subscriptionId, group);
  return paged(request, vms, (vm) => (statusOnly ? virtualMachineStatusBody(vm) : virtualMachineBody(vm, false)));
}

function operationUrls(request: ArmRequest, operationId: string, location: string): { asyncOperation: string; location: string } {
  const apiVersion = request.url.searchParams.get('api-version') ?? '';
  const subscription = `${request.env.endpoint}/subscriptions/${request.params.sub}`;
  const base = `${subscription}/providers/Microsoft.Compute/locations/${location}/operations/${operationId}`;
  return {
    asyncOperation: `${base}?p=${encodeURIComponent(request.params.sub)}&api-version=${apiVersion}`,
    location: `${base}?p=${encodeURIComponent(request.params.sub)}&monitor=true&api-version=${apiVersion}`,
  };
}

function beginVmAction(request: ArmRequest): ArmResponse {
  const vm = vmOf(request);
  const action = VM_ACTIONS.find((a) => a.toLowerCase() === request.params.action.toLowerCase());
  if (action === undefined) {
    throw noRoute('POST', request.url.pathname); // the route's pattern admits only VM_ACTIONS
  }
  const operation = request.env.operations.begin(vm, action);
  const urls = operationUrls(request, operation.id, vm.location);
  const retryAfter = String(Math.max(1, Math.ceil(request.env.operations.durationMs / 1000)));
  return { status: 202, headers: { 'Azure-AsyncOperation': urls.asyncOperation, Location: urls.location, 'Retry-After': retryAfter } };
}

function operationStatus(request: ArmRequest): ArmResponse {
  const subscription = subscriptionOf(request);
  const operation = request.env.operations.find(request.params.operation);
  if (!operation || operation.vm.subscriptionId !== subscription.subscriptionId) {
    throw new ArmError(404, 'NotFound', `The operation '${request.params.operation}' was not found.`);
  }
  const monitor = request.url.searchParams.get('monitor')?.toLowerCase() === 'true';
  if (monitor) {
    if (operation.status === 'InProgress') {
      return { status: 202, headers: { Location: request.url.toString(), 'Retry-After': '1' } };
    }
    if (operation.status === 'Failed') {
      throw new ArmError(500, operation.error!.code, operation.error!.message);
    }
    return { status: 200 };
  }
  return ok({
    startTime: operation.startTime,
    ...(operation.endTime ? { endTime: operation.endTime } : {}),
    status: operation.status,
    ...(operation.error ? { error: operation.error } : {}),
    name: operation.id,
  });
}

function listSkus(request: ArmRequest): ArmResponse {
  subscriptionOf(request);
  const filter = request.url.searchParams.get('$filter');
  let locations = [...request.env.state.skus.keys()];
  if (filter !== null) {
    const match = /^\s*location\s+eq\s+'([^']+)'\s*$/i.exec(filter);
    if (!match) {
      throw new ArmError(400, 'InvalidFilter', `The $filter '${filter}' is not supported; only "location eq '<location>'" is.`);
    }
    locations = locations.filter((l) => l === match[1].toLowerCase());
  }
  const capacity = request.env.state.capacity;
  const value = locations.flatMap((location) =>
    request.env.state.skus.get(location)!.map((size) => ({
      ...skuBody(size, location),
      restrictions: restrictionBodies(capacity.restrictionsOf(location, size.name), location),
    })),
  );
  return ok({ value });
}

function getNic(request: ArmRequest): ArmResponse {
  const { subscription, group } = resourceGroupOf(request);
  const nic = request.env.state.findNic(subscription.subscriptionId, group, request.params.name);
  if (!nic) {
    throw resourceNotFound(NIC_TYPE, request.params.name, request.params.rg);
  }
  return ok(networkInterfaceBody(nic));
}

function getPublicIp(request: ArmRequest): ArmResponse {
  const { subscription, group } = resourceGroupOf(request);
  const ip = request.env.state.findPublicIp(subscription.subscriptionId, group, request.params.name);
  if (!ip) {
    throw resourceNotFound(PUBLIC_IP_TYPE, request.params.name, request.params.rg);
  }
  return ok(publicIpAddressBody(ip));
}

const ROUTES: readonly Route[] = [
  ...PROVISIONING_ROUTES,
  ...IDENTITY_ROUTES,
  ...SCALE_SET_ROUTES,
  route('GET', '/tenants', (r) => paged(r, r.env.state.tenants, tenantBody)),
  route('GET', '/subscriptions', (r) => {
    const subject = r.subject;
    const visible = r.env.state.subscriptions.filter(
      (s) => subject.kind === 'static' || s.tenantId.toLowerCase() === subject.tenantId.toLowerCase(),
    );
    return paged(r, visible, subscriptionBody);
  }),
  route('GET', SUB, (r) => ok(subscriptionBody(subscriptionOf(r)))),
  route('GET', `${SUB}/resourceGroups`, (r) => paged(r, r.env.state.resourceGroupsOf(subscriptionOf(r).subscriptionId), resourceGroupBody)),
  route('GET', RG, (r) => {
    const { subscription, group } = resourceGroupOf(r);
    return ok(resourceGroupBody(r.env.state.findResourceGroup(subscription.subscriptionId, group)!));
  }),
  route('GET', `${SUB}/providers/Microsoft\\.Compute/virtualMachines`, (r) => listVirtualMachines(r)),
  route('GET', VMS, (r) => listVirtualMachines(r, r.params.rg)),
  route('GET', `${VMS}/(?<vm>[^/]+)`, (r) => {
    const withInstanceView = r.url.searchParams.get('$expand')?.toLowerCase() === 'instanceview';
    const vm = vmOf(r);
    return ok(withIdentity(virtualMachineBody(vm, withInstanceView), vm, r.env));
  }),
  route('GET', `${VMS}/(?<vm>[^/]+)/instanceView`, (r) => ok(instanceViewBody(vmOf(r)))),
  route('POST', `${VMS}/(?<vm>[^/]+)/(?<action>${VM_ACTIONS.join('|')})`, beginVmAction),
  route('GET', `${SUB}/providers/Microsoft\\.Compute/locations/(?<location>[^/]+)/operations/(?<operation>[^/]+)`, operationStatus),
  route('GET', `${SUB}/providers/Microsoft\\.Compute/skus`, listSkus),
  route('GET', `${SUB}/providers/Microsoft\\.Network/networkInterfaces`, (r) =>
    paged(r, r.env.state.nicsOf(subscriptionOf(r).subscriptionId), networkInterfaceBody),
  ),
  route('GET', `${RG}/providers/Microsoft\\.Network/networkInterfaces`, (r) => {
    const { subscription, group } = resourceGroupOf(r);
    return paged(r, r.env.state.nicsOf(subscription.subscriptionId, group), networkInterfaceBody);
  }),
  route('GET', `${RG}/providers/Microsoft\\.Network/networkInterfaces/(?<name>[^/]+)`, getNic),
  route('GET', `${SUB}/providers/Microsoft\\.Network/publicIPAddresses`, (r) =>
    paged(r, r.env.state.publicIpsOf(subscriptionOf(r).subscriptionId), publicIpAddressBody),
  ),
  route('GET', `${RG}/providers/Microsoft\\.Network/publicIPAddresses`, (r) => {
    const { subscription, group } = resourceGroupOf(r);
    return paged(r, r.env.state.publicIpsOf(subscription.subscriptionId, group), publicIpAddressBody);
  }),
  route('GET', `${RG}/providers/Microsoft\\.Network/publicIPAddresses/(?<name>[^/]+)`, getPublicIp),
];

/** Serves one authenticated Resource Manager request; throws ArmError for error responses. */
export function routeArmRequest(method: string, url: URL, subject: TokenSubject, env: RouteEnvironment, body = ''): ArmResponse {
  const path = decodeURIComponent(url.pathname);
  scaleSetsOf(env.state); // a Flexible scale set's instances are VMs from the first request on
  for (const candidate of ROUTES) {
    const match = candidate.pattern.exec(path);
    if (match && candidate.method === method) {
      const response = candidate.handle({ url, body, params: { ...match.groups }, subject, env });
      if (response) return response;
    }
  }
  const pathKnown = ROUTES.some((candidate) => candidate.pattern.test(path));
  if (pathKnown) {
    throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
  }
  throw noRoute(method, path);
}
