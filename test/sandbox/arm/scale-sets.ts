/**
 * VM scale sets in Azure's REST shapes: list (per subscription and per resource group, paged), get,
 * scale (PATCH or PUT of `sku.capacity`), the instances (`…/virtualMachineScaleSets/{name}/
 * virtualMachines`, Uniform only, with `$expand=instanceView`), the power actions of one instance
 * and of the set (`POST …/{start|deallocate|powerOff|restart}` with an optional `{ instanceIds }`),
 * all long-running, and the instances' NICs and public IPs as the network provider lists them.
 *
 * A Uniform set's instances live here; a Flexible set's instances are ordinary VMs of the state
 * (listed with the subscription's VMs), carrying `virtualMachineScaleSet.id`, their instance id
 * being the VM's name, as in Azure. Each instance is a VirtualMachine, so the OperationManager runs
 * its power changes; an action on several instances is one operation over theirs.
 */
import * as crypto from 'crypto';
import { jsonAt, jsonEntries, parseJson } from '../../json';
import { ArmError, resourceGroupNotFound, resourceNotFound, subscriptionNotFound } from './errors';
import type { Operation, OperationManager, VmAction } from './operations';
import { VM_ACTIONS } from './operations';
import { page } from './paging';
import { NIC_TYPE, PUBLIC_IP_TYPE, VM_TYPE, providerResourceId } from './resource-ids';
import type { ArmRequest, ArmResponse, Route } from './routes';
import type { OrchestrationMode, ScaleSetSpec } from './scale-set-spec';
import { instanceViewBody, networkInterfaceBody, publicIpAddressBody, virtualMachineBody } from './shapes';
import { stableUuid } from './stable-uuid';
import type { ArmState, NetworkInterface, PowerState, PublicIpAddress, VirtualMachine } from './state';
import { type VmSize, vmSize } from './vm-sizes';

export const SCALE_SET_TYPE = 'Microsoft.Compute/virtualMachineScaleSets';

export interface ScaleSetInstance {
  readonly instanceId: string;
  readonly vm: VirtualMachine;
}

export interface ScaleSet {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly size: VmSize;
  readonly orchestrationMode: OrchestrationMode;
  readonly uniqueId: string;
  /** Uniform: its own instances; Flexible: read from the state's VMs. */
  readonly uniformInstances: ScaleSetInstance[];
  /** Addresses for the instances, by instance index; used up in order. */
  readonly addresses: string[];
  nextInstance: number;
  groupIndex: number;
  provisioningState: 'Succeeded' | 'Updating';
}

const SPEC_POWER: Record<string, PowerState> = { running: 'running', stopped: 'stopped', deallocated: 'deallocated' };

/** The scale sets of a state, made once from its spec (Flexible instances are added to the state's VMs then). */
const stores = new WeakMap<ArmState, ScaleSetStore>();

export function scaleSetsOf(state: ArmState): ScaleSetStore {
  let store = stores.get(state);
  if (!store) {
    store = new ScaleSetStore(state);
    stores.set(state, store);
  }
  return store;
}

export class ScaleSetStore {
  private readonly sets: ScaleSet[] = [];
  /** Operations over several instances: id → the instances' operations. */
  private readonly groups = new Map<string, { subscriptionId: string; operations: Operation[] }>();

  constructor(private readonly state: ArmState) {
    state.spec.subscriptions.forEach((sub) =>
      sub.resourceGroups.forEach((rg, groupIndex) => {
        for (const spec of rg.scaleSets ?? []) this.add(sub.subscriptionId, rg.name, rg.location, groupIndex, spec);
      }),
    );
  }

  of(subscriptionId: string, group?: string): ScaleSet[] {
    return this.sets.filter(
      (set) =>
        set.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        (group === undefined || set.resourceGroup.toLowerCase() === group.toLowerCase()),
    );
  }

  find(subscriptionId: string, group: string, name: string): ScaleSet | undefined {
    return this.of(subscriptionId, group).find((set) => set.name.toLowerCase() === name.toLowerCase());
  }

  instancesOf(set: ScaleSet): ScaleSetInstance[] {
    if (set.orchestrationMode === 'Uniform') return set.uniformInstances;
    return this.state
      .vmsOf(set.subscriptionId, set.resourceGroup)
      .filter((vm) => vm.scaleSetId?.toLowerCase() === set.id.toLowerCase())
      .map((vm) => ({ instanceId: vm.name, vm }));
  }

  /** Sets the instance count: new instances start (their operations returned), the highest ids go first. */
  scale(set: ScaleSet, capacity: number, operations: OperationManager): Operation[] {
    const instances = this.instancesOf(set);
    const started: Operation[] = [];
    for (let i = instances.length; i < capacity; i++) {
      const instance = this.newInstance(set, 'deallocated');
      started.push(operations.begin(instance.vm, 'start'));
    }
    const removed = [...instances].sort((a, b) => instanceOrder(b) - instanceOrder(a)).slice(0, Math.max(0, instances.length - capacity));
    for (const instance of removed) {
      if (set.orchestrationMode === 'Uniform') set.uniformInstances.splice(set.uniformInstances.indexOf(instance), 1);
      else this.state.removeVm(instance.vm);
    }
    return started;
  }

  /** One operation id over several (none: it succeeded at once, the action had nothing to do). */
  group(subscriptionId: string, operations: Operation[]): string {
    const id = crypto.randomUUID();
    this.groups.set(id, { subscriptionId, operations });
    return id;
  }

  groupStatus(id: string): { subscriptionId: string; operations: Operation[] } | undefined {
    return this.groups.get(id);
  }

  private add(subscriptionId: string, group: string, location: string, groupIndex: number, spec: ScaleSetSpec): void {
    const id = providerResourceId(subscriptionId, group, SCALE_SET_TYPE, spec.name);
    const set: ScaleSet = {
      id,
      name: spec.name,
      subscriptionId,
      resourceGroup: group,
      location,
      size: vmSize(spec.size),
      orchestrationMode: spec.orchestrationMode ?? 'Uniform',
      uniqueId: stableUuid(id),
      uniformInstances: [],
      addresses: [...(spec.publicIpAddresses ?? [])],
      nextInstance: 0,
      groupIndex,
      provisioningState: 'Succeeded',
    };
    this.sets.push(set);
    for (let i = 0; i < spec.capacity; i++) this.newInstance(set, SPEC_POWER[spec.powerState ?? 'running']);
  }

  private newInstance(set: ScaleSet, powerState: PowerState): ScaleSetInstance {
    const index = set.nextInstance++;
    const uniform = set.orchestrationMode === 'Uniform';
    const name = uniform ? `${set.name}_${index}` : `${set.name}_${stableUuid(`${set.id}/${index}`).slice(0, 8)}`;
    const id = uniform ? `${set.id}/virtualMachines/${index}` : providerResourceId(set.subscriptionId, set.resourceGroup, VM_TYPE, name);
    const nicName = uniform ? `${set.name}-nic` : `${name}-nic`;
    const nicId = uniform
      ? `${id}/networkInterfaces/${nicName}`
      : providerResourceId(set.subscriptionId, set.resourceGroup, NIC_TYPE, nicName);
    const ipConfigurationId = `${nicId}/ipConfigurations/${set.name}-ipconfig`;
    const address = set.addresses[index];
    const ipName = uniform ? `${set.name}-ip` : `${name}-ip`;
    const publicIp: PublicIpAddress | undefined =
      address === undefined
        ? undefined
        : {
            id: uniform
              ? `${id}/networkInterfaces/${nicName}/ipConfigurations/${set.name}-ipconfig/publicIPAddresses/${ipName}`
              : providerResourceId(set.subscriptionId, set.resourceGroup, PUBLIC_IP_TYPE, ipName),
            name: ipName,
            location: set.location,
            allocation: 'Static',
            ipAddress: address,
            ipConfigurationId,
          };
    const vnetId = providerResourceId(
      set.subscriptionId,
      set.resourceGroup,
      'Microsoft.Network/virtualNetworks',
      `${set.resourceGroup}-vnet`,
    );
    const nic: NetworkInterface = {
      id: nicId,
      name: nicName,
      location: set.location,
      privateIpAddress: `10.${set.groupIndex % 256}.${200 + (Math.floor(index / 250) % 56)}.${4 + (index % 250)}`,
      macAddress: `00-0D-3A-${stableUuid(nicId)
        .slice(0, 6)
        .toUpperCase()
        .replace(/(..)(?!$)/g, '$1-')}`,
      subnetId: `${vnetId}/subnets/default`,
      virtualMachineId: id,
      publicIp,
    };
    const vm: VirtualMachine = {
      id,
      name,
      subscriptionId: set.subscriptionId,
      resourceGroup: set.resourceGroup,
      location: set.location,
      size: set.size,
      vmId: stableUuid(id),
      tags: {},
      timeCreated: new Date().toISOString(),
      nic,
      simulatedHost: false,
      powerState,
      provisioning: { state: 'Succeeded' },
      ...(uniform ? {} : { scaleSetId: set.id }),
    };
    const instance = { instanceId: uniform ? String(index) : name, vm };
    if (uniform) set.uniformInstances.push(instance);
    else this.state.addVm(vm);
    return instance;
  }
}

function instanceOrder(instance: ScaleSetInstance): number {
  const n = Number(instance.instanceId);
  return Number.isInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

// ---- REST ----

const SUB = '/subscriptions/(?<sub>[^/]+)';
const RG = `${SUB}/resourceGroups/(?<rg>[^/]+)`;
const SETS = `${RG}/providers/Microsoft\\.Compute/virtualMachineScaleSets`;
const SET = `${SETS}/(?<set>[^/]+)`;
const ACTIONS = VM_ACTIONS.join('|');

function route(method: string, path: string, handle: (request: ArmRequest) => ArmResponse | undefined): Route {
  return { method, pattern: new RegExp(`^${path}/?$`, 'i'), handle };
}

function ok(body: unknown): ArmResponse {
  return { status: 200, body };
}

function paged<T>(request: ArmRequest, items: readonly T[], toBody: (item: T) => unknown): ArmResponse {
  return ok(page(items, toBody, request.url, request.env.endpoint, request.env.pageSize));
}

function subscriptionOf(request: ArmRequest): string {
  const subscription = request.env.state.findSubscription(request.params.sub);
  if (!subscription) throw subscriptionNotFound(request.params.sub);
  request.env.tokens.authorizeTenant(request.subject, subscription.tenantId);
  return subscription.subscriptionId;
}

function setOf(request: ArmRequest): ScaleSet {
  const subscriptionId = subscriptionOf(request);
  if (!request.env.state.findResourceGroup(subscriptionId, request.params.rg)) throw resourceGroupNotFound(request.params.rg);
  const set = scaleSetsOf(request.env.state).find(subscriptionId, request.params.rg, request.params.set);
  if (!set) throw resourceNotFound(SCALE_SET_TYPE, request.params.set, request.params.rg);
  return set;
}

function uniformSetOf(request: ArmRequest): ScaleSet {
  const set = setOf(request);
  if (set.orchestrationMode !== 'Uniform') {
    throw new ArmError(
      400,
      'OperationNotAllowed',
      `This operation is not supported for virtual machine scale set '${set.name}' with orchestration mode 'Flexible'. ` +
        'Use the virtual machine APIs for its instances.',
    );
  }
  return set;
}

function instanceOf(request: ArmRequest): { set: ScaleSet; instance: ScaleSetInstance } {
  const set = uniformSetOf(request);
  const instance = set.uniformInstances.find((each) => each.instanceId === request.params.instance);
  if (!instance) throw resourceNotFound(`${SCALE_SET_TYPE}/virtualMachines`, `${set.name}/${request.params.instance}`, set.resourceGroup);
  return { set, instance };
}

export function scaleSetBody(set: ScaleSet, capacity: number): object {
  return {
    id: set.id,
    name: set.name,
    type: SCALE_SET_TYPE,
    location: set.location,
    tags: {},
    sku: { name: set.size.name, tier: 'Standard', capacity },
    properties: {
      orchestrationMode: set.orchestrationMode,
      provisioningState: set.provisioningState,
      uniqueId: set.uniqueId,
      singlePlacementGroup: false,
      platformFaultDomainCount: 1,
      ...(set.orchestrationMode === 'Uniform' ? { upgradePolicy: { mode: 'Manual' }, overprovision: false } : {}),
      virtualMachineProfile: {
        osProfile: {
          computerNamePrefix: set.name,
          adminUsername: 'azureuser',
          linuxConfiguration: { disablePasswordAuthentication: true },
        },
        storageProfile: {
          imageReference: { publisher: 'microsoft-dsvm', offer: 'ubuntu-hpc', sku: '2204', version: 'latest' },
          osDisk: { createOption: 'FromImage', caching: 'ReadWrite', managedDisk: { storageAccountType: 'Premium_LRS' } },
        },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name: `${set.name}-nic`,
              properties: {
                primary: true,
                ipConfigurations: [
                  { name: `${set.name}-ipconfig`, properties: { publicIPAddressConfiguration: { name: `${set.name}-ip` } } },
                ],
              },
            },
          ],
        },
      },
      timeCreated: '2026-01-15T09:30:00.0000000+00:00',
    },
  };
}

/** A Uniform instance as `…/virtualMachines/{instanceId}` returns it. */
export function scaleSetVmBody(set: ScaleSet, instance: ScaleSetInstance, withInstanceView: boolean): object {
  const { vm } = instance;
  // A Uniform instance's model has no hardwareProfile: its size is the set's sku.
  const properties = Object.fromEntries(
    jsonEntries(virtualMachineBody(vm, withInstanceView), 'properties').filter(([key]) => key !== 'hardwareProfile'),
  );
  return {
    id: vm.id,
    name: vm.name,
    type: `${SCALE_SET_TYPE}/virtualMachines`,
    location: vm.location,
    instanceId: instance.instanceId,
    sku: { name: set.size.name, tier: 'Standard' },
    properties: {
      ...properties,
      latestModelApplied: true,
      osProfile: { computerName: `${set.name}${instance.instanceId.padStart(6, '0')}`, adminUsername: 'azureuser' },
      networkProfile: { networkInterfaces: [{ id: vm.nic.id, properties: { primary: true } }] },
    },
  };
}

function operationResponse(request: ArmRequest, set: ScaleSet, operationId: string, status = 202, body?: unknown): ArmResponse {
  const apiVersion = request.url.searchParams.get('api-version') ?? '';
  const base = `${request.env.endpoint}/subscriptions/${set.subscriptionId}/providers/Microsoft.Compute/locations/${set.location}/operations/${operationId}`;
  const retryAfter = String(Math.max(1, Math.ceil(request.env.operations.durationMs / 1000)));
  return {
    status,
    body,
    headers: {
      'Azure-AsyncOperation': `${base}?p=${encodeURIComponent(set.subscriptionId)}&api-version=${apiVersion}`,
      ...(status === 202 ? { Location: `${base}?p=${encodeURIComponent(set.subscriptionId)}&monitor=true&api-version=${apiVersion}` } : {}),
      'Retry-After': retryAfter,
    },
  };
}

function actionOf(request: ArmRequest): VmAction {
  const action = VM_ACTIONS.find((a) => a.toLowerCase() === request.params.action.toLowerCase());
  if (!action) throw new ArmError(404, 'NotFound', `Unknown action ${request.params.action}`);
  return action;
}

/** Whether an action has anything to do on a VM in this state (Azure accepts it either way). */
function needsAction(vm: VirtualMachine, action: VmAction): boolean {
  if (action === 'start') return vm.powerState !== 'running';
  if (action === 'deallocate') return vm.powerState !== 'deallocated';
  if (action === 'powerOff') return vm.powerState === 'running' || vm.powerState === 'starting';
  return true;
}

function beginSetAction(request: ArmRequest): ArmResponse {
  const set = setOf(request);
  const action = actionOf(request);
  const store = scaleSetsOf(request.env.state);
  const instances = store.instancesOf(set);
  const requested = instanceIdsOf(request.body);
  const chosen = requested === undefined ? instances : requested.map((id) => findInstance(set, instances, id));
  const operations = chosen.filter(({ vm }) => needsAction(vm, action)).map(({ vm }) => request.env.operations.begin(vm, action));
  return operationResponse(request, set, store.group(set.subscriptionId, operations));
}

function findInstance(set: ScaleSet, instances: readonly ScaleSetInstance[], instanceId: string): ScaleSetInstance {
  const found = instances.find((each) => each.instanceId.toLowerCase() === instanceId.toLowerCase());
  if (!found) {
    throw new ArmError(
      400,
      'InvalidParameter',
      `The instance id '${instanceId}' is not a valid instance of virtual machine scale set '${set.name}'.`,
    );
  }
  return found;
}

function parseBody(body: string): unknown {
  try {
    return body.trim() === '' ? undefined : parseJson(body);
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}

/** `{ instanceIds: [...] }` from a request body; undefined when absent (the action is for all instances). */
function instanceIdsOf(body: string): string[] | undefined {
  const ids = jsonAt(parseBody(body), 'instanceIds');
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) {
    throw new ArmError(400, 'InvalidParameter', "The value of parameter 'instanceIds' is invalid.");
  }
  return ids;
}

function scaleSet(request: ArmRequest): ArmResponse {
  const set = setOf(request);
  const capacity = jsonAt(parseBody(request.body), 'sku', 'capacity');
  const store = scaleSetsOf(request.env.state);
  if (capacity === undefined) return ok(scaleSetBody(set, store.instancesOf(set).length));
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0 || capacity > 1000) {
    throw new ArmError(
      400,
      'InvalidParameter',
      "The value of parameter 'sku.capacity' is invalid: it must be a whole number from 0 to 1000.",
    );
  }
  const operations = store.scale(set, capacity, request.env.operations);
  return operationResponse(request, set, store.group(set.subscriptionId, operations), 200, scaleSetBody(set, capacity));
}

function groupOperationStatus(request: ArmRequest): ArmResponse | undefined {
  const group = scaleSetsOf(request.env.state).groupStatus(request.params.operation);
  if (!group) return undefined; // a VM's own operation: routes.ts answers
  if (group.subscriptionId.toLowerCase() !== subscriptionOf(request).toLowerCase()) {
    throw new ArmError(404, 'NotFound', `The operation '${request.params.operation}' was not found.`);
  }
  const failed = group.operations.find((op) => op.status === 'Failed');
  const status = failed ? 'Failed' : group.operations.some((op) => op.status === 'InProgress') ? 'InProgress' : 'Succeeded';
  if (request.url.searchParams.get('monitor')?.toLowerCase() === 'true') {
    if (status === 'InProgress') return { status: 202, headers: { Location: request.url.toString(), 'Retry-After': '1' } };
    if (failed) throw new ArmError(500, failed.error!.code, failed.error!.message);
    return { status: 200 };
  }
  return ok({ status, name: request.params.operation, ...(failed ? { error: failed.error } : {}) });
}

function listSets(request: ArmRequest, group?: string): ArmResponse {
  const subscriptionId = subscriptionOf(request);
  if (group !== undefined && !request.env.state.findResourceGroup(subscriptionId, group)) throw resourceGroupNotFound(group);
  const store = scaleSetsOf(request.env.state);
  return paged(request, store.of(subscriptionId, group), (set) => scaleSetBody(set, store.instancesOf(set).length));
}

function expandsInstanceView(request: ArmRequest): boolean {
  return request.url.searchParams.get('$expand')?.toLowerCase() === 'instanceview';
}

export const SCALE_SET_ROUTES: readonly Route[] = [
  route('GET', `${SUB}/providers/Microsoft\\.Compute/virtualMachineScaleSets`, (r) => listSets(r)),
  route('GET', SETS, (r) => listSets(r, r.params.rg)),
  route('GET', SET, (r) => {
    const set = setOf(r);
    return ok(scaleSetBody(set, scaleSetsOf(r.env.state).instancesOf(set).length));
  }),
  route('PATCH', SET, scaleSet),
  route('PUT', SET, scaleSet),
  route('POST', `${SET}/(?<action>${ACTIONS})`, beginSetAction),
  route('GET', `${SET}/virtualMachines`, (r) => {
    const set = uniformSetOf(r);
    return paged(r, set.uniformInstances, (instance) => scaleSetVmBody(set, instance, expandsInstanceView(r)));
  }),
  route('GET', `${SET}/virtualMachines/(?<instance>[^/]+)`, (r) => {
    const { set, instance } = instanceOf(r);
    return ok(scaleSetVmBody(set, instance, expandsInstanceView(r)));
  }),
  route('GET', `${SET}/virtualMachines/(?<instance>[^/]+)/instanceView`, (r) => ok(instanceViewBody(instanceOf(r).instance.vm))),
  route('POST', `${SET}/virtualMachines/(?<instance>[^/]+)/(?<action>${ACTIONS})`, (r) => {
    const { set, instance } = instanceOf(r);
    const operation = r.env.operations.begin(instance.vm, actionOf(r));
    return operationResponse(r, set, operation.id);
  }),
  route('GET', `${SET}/networkInterfaces`, (r) => paged(r, uniformSetOf(r).uniformInstances, ({ vm }) => networkInterfaceBody(vm.nic))),
  route('GET', `${SET}/publicIPAddresses`, (r) =>
    paged(
      r,
      uniformSetOf(r).uniformInstances.flatMap(({ vm }) => (vm.nic.publicIp ? [vm.nic.publicIp] : [])),
      publicIpAddressBody,
    ),
  ),
  route('GET', `${SUB}/providers/Microsoft\\.Compute/locations/(?<location>[^/]+)/operations/(?<operation>[^/]+)`, groupOperationStatus),
];
