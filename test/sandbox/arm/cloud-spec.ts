/**
 * The JSON description of a sandbox cloud (see test/sandbox/cloud.json), and its loading.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { jsonArray, jsonBoolean, jsonEntries, jsonMember, jsonOneOf, jsonString, parseJson } from '../../json';
import { findVmSize } from './vm-sizes';
import { parseScaleSetSpec, validateScaleSetSpec, type ScaleSetSpec } from './scale-set-spec';

export type SpecPowerState = 'running' | 'stopped' | 'deallocated';
const SPEC_POWER_STATES: readonly SpecPowerState[] = ['running', 'stopped', 'deallocated'];
type SubscriptionState = 'Enabled' | 'Disabled' | 'Warned';
const SUBSCRIPTION_STATES: readonly SubscriptionState[] = ['Enabled', 'Disabled', 'Warned'];

export interface CloudSpec {
  /** The app registration the token endpoint accepts (client-credentials flow). */
  servicePrincipal: { tenantId: string; clientId: string; clientSecret: string };
  tenants: TenantSpec[];
  subscriptions: SubscriptionSpec[];
  /** Location → VM sizes offered there; each becomes a Compute SKU. */
  skus: Record<string, string[]>;
  /** Token audiences Resource Manager accepts; defaults to the public-cloud ones. */
  audiences?: string[];
}

export interface TenantSpec {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
}

export interface SubscriptionSpec {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state?: SubscriptionState;
  resourceGroups: ResourceGroupSpec[];
}

export interface ResourceGroupSpec {
  name: string;
  location: string;
  tags?: Record<string, string>;
  vms: VmSpec[];
  /** VM scale sets (scale-sets.ts); none when absent. */
  scaleSets?: ScaleSetSpec[];
}

export interface VmSpec {
  name: string;
  size: string;
  /** Defaults to the resource group's location. */
  location?: string;
  /** Defaults to running. */
  powerState?: SpecPowerState;
  /** A loopback address (127.0.0.0/8): the VM's static public IP. */
  publicIpAddress?: string;
  /** A public IP resource with dynamic allocation and no address yet (what a deallocated Basic IP shows). */
  dynamicPublicIp?: boolean;
  /** Whether the sandbox runs a simulated host (sshd, nvidia-smi) on `publicIpAddress`. */
  simulatedHost?: boolean;
  tags?: Record<string, string>;
  zone?: string;
}

/** test/sandbox/cloud.json, found from either the sources or the compiled output. */
export function defaultCloudSpecPath(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`No package.json above ${__dirname}`);
    }
    dir = parent;
  }
  return path.join(dir, 'test', 'sandbox', 'cloud.json');
}

export function loadCloudSpec(file: string = defaultCloudSpecPath()): CloudSpec {
  const spec = parseCloudSpec(parseJson(fs.readFileSync(file, 'utf8')));
  validateCloudSpec(spec);
  return spec;
}

const stringArray = (value: unknown, ...path: (string | number)[]): string[] => jsonArray(value, ...path).map((item) => jsonString(item));
const stringRecord = (value: unknown, ...path: (string | number)[]): Record<string, string> =>
  Object.fromEntries(jsonEntries(value, ...path).map(([key, item]) => [key, jsonString(item)]));

/** The spec as JSON gives it, each member checked for its type (validateCloudSpec checks what they mean). */
export function parseCloudSpec(json: unknown): CloudSpec {
  return {
    servicePrincipal: {
      tenantId: jsonString(json, 'servicePrincipal', 'tenantId'),
      clientId: jsonString(json, 'servicePrincipal', 'clientId'),
      clientSecret: jsonString(json, 'servicePrincipal', 'clientSecret'),
    },
    tenants: jsonArray(json, 'tenants').map((tenant) => ({
      tenantId: jsonString(tenant, 'tenantId'),
      displayName: jsonString(tenant, 'displayName'),
      defaultDomain: jsonString(tenant, 'defaultDomain'),
    })),
    subscriptions: jsonArray(json, 'subscriptions').map(parseSubscription),
    skus: Object.fromEntries(jsonEntries(json, 'skus').map(([location, sizes]) => [location, stringArray(sizes)])),
    ...jsonMember(json, 'audiences', stringArray),
  };
}

function parseSubscription(json: unknown): SubscriptionSpec {
  return {
    subscriptionId: jsonString(json, 'subscriptionId'),
    displayName: jsonString(json, 'displayName'),
    tenantId: jsonString(json, 'tenantId'),
    ...jsonMember(json, 'state', (value, ...path) => jsonOneOf(SUBSCRIPTION_STATES, value, ...path)),
    resourceGroups: jsonArray(json, 'resourceGroups').map((group) => ({
      name: jsonString(group, 'name'),
      location: jsonString(group, 'location'),
      ...jsonMember(group, 'tags', stringRecord),
      vms: jsonArray(group, 'vms').map(parseVm),
      ...jsonMember(group, 'scaleSets', (value, ...path) => jsonArray(value, ...path).map(parseScaleSetSpec)),
    })),
  };
}

function parseVm(json: unknown): VmSpec {
  return {
    name: jsonString(json, 'name'),
    size: jsonString(json, 'size'),
    ...jsonMember(json, 'location', jsonString),
    ...jsonMember(json, 'powerState', (value, ...path) => jsonOneOf(SPEC_POWER_STATES, value, ...path)),
    ...jsonMember(json, 'publicIpAddress', jsonString),
    ...jsonMember(json, 'dynamicPublicIp', jsonBoolean),
    ...jsonMember(json, 'simulatedHost', jsonBoolean),
    ...jsonMember(json, 'tags', stringRecord),
    ...jsonMember(json, 'zone', jsonString),
  };
}

/** Throws on what would make the stand-in lie or reach outside loopback. */
export function validateCloudSpec(spec: CloudSpec): void {
  const tenantIds = new Set(spec.tenants.map((t) => t.tenantId));
  if (!tenantIds.has(spec.servicePrincipal.tenantId)) {
    throw new Error(`Service principal tenant ${spec.servicePrincipal.tenantId} is not among the tenants`);
  }
  const addresses = new Set<string>();
  for (const sub of spec.subscriptions) {
    if (!tenantIds.has(sub.tenantId)) {
      throw new Error(`Subscription ${sub.subscriptionId} names unknown tenant ${sub.tenantId}`);
    }
    for (const rg of sub.resourceGroups) {
      for (const vm of rg.vms) {
        const where = `${sub.displayName}/${rg.name}/${vm.name}`;
        if (!findVmSize(vm.size)) {
          throw new Error(`${where}: unknown VM size ${vm.size}`);
        }
        if (vm.publicIpAddress !== undefined) {
          if (!net.isIPv4(vm.publicIpAddress) || !vm.publicIpAddress.startsWith('127.')) {
            throw new Error(`${where}: public IP ${vm.publicIpAddress} must be a loopback address`);
          }
          if (addresses.has(vm.publicIpAddress)) {
            throw new Error(`${where}: public IP ${vm.publicIpAddress} is used twice`);
          }
          addresses.add(vm.publicIpAddress);
        }
        if (vm.simulatedHost && vm.publicIpAddress === undefined) {
          throw new Error(`${where}: a simulated host needs a publicIpAddress`);
        }
      }
      for (const scaleSet of rg.scaleSets ?? []) {
        validateScaleSetSpec(scaleSet, `${sub.displayName}/${rg.name}/${scaleSet.name}`, addresses, (size) => !!findVmSize(size));
      }
    }
  }
  for (const [location, sizes] of Object.entries(spec.skus)) {
    for (const name of sizes) {
      if (!findVmSize(name)) {
        throw new Error(`SKU list for ${location}: unknown VM size ${name}`);
      }
    }
  }
}
