/**
 * The routes that create and delete: vCPU usages, resource groups, NSGs, VNets, public IPs, NICs,
 * disks and VMs, with Azure's synchronous refusals (SkuNotAvailable, quota, resources in use) and
 * VM create/delete as long-running operations. Created network resources are kept as their bodies;
 * a created VM joins the cloud's state, so listing, power actions and the inventory see it.
 */
import * as crypto from 'crypto';
import type { StoredResource } from './capacity';
import { ArmError, resourceGroupNotFound, resourceNotFound, subscriptionNotFound } from './errors';
import { PROVISIONING_OPERATION_PREFIX } from './provisioning-operations';
import { QUOTA_EXCEEDED_MESSAGE } from './refusal-messages';
import { NIC_TYPE, PUBLIC_IP_TYPE, VM_TYPE, providerResourceId, resourceGroupId } from './resource-ids';
import type { ArmRequest, ArmResponse, Route } from './routes';
import { resourceGroupBody, virtualMachineBody } from './shapes';
import type { NetworkInterface, PublicIpAddress, ResourceGroup, Subscription, VirtualMachine } from './state';
import { findImage, type MarketplaceImage } from './marketplace';
import { findVmSize } from './vm-sizes';

const SUB = '/subscriptions/(?<sub>[^/]+)';
const RG = `${SUB}/resourceGroups/(?<rg>[^/]+)`;
const NETWORK_TYPES = 'networkSecurityGroups|virtualNetworks|publicIPAddresses|networkInterfaces';

function route(method: string, path: string, handle: (request: ArmRequest) => ArmResponse | undefined): Route {
  return { method, pattern: new RegExp(`^${path}/?$`, 'i'), handle };
}

function subscriptionOf(request: ArmRequest): Subscription {
  const subscription = request.env.state.findSubscription(request.params.sub);
  if (!subscription) throw subscriptionNotFound(request.params.sub);
  request.env.tokens.authorizeTenant(request.subject, subscription.tenantId);
  return subscription;
}

function groupOf(request: ArmRequest): ResourceGroup {
  const subscription = subscriptionOf(request);
  const group = request.env.state.findResourceGroup(subscription.subscriptionId, request.params.rg);
  if (!group) throw resourceGroupNotFound(request.params.rg);
  return group;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonBody(request: ArmRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(request.body || '{}');
    if (isObject(parsed)) return parsed;
  } catch {
    // answered below
  }
  throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
}

function record(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function tagsOf(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The async-operation headers of a provisioning operation. */
function operationHeaders(request: ArmRequest, provider: string, location: string, operationId: string): Record<string, string> {
  const apiVersion = request.url.searchParams.get('api-version') ?? '';
  const base = `${request.env.endpoint}/subscriptions/${request.params.sub}/providers/${provider}/locations/${location}/operations/${operationId}`;
  return {
    'Azure-AsyncOperation': `${base}?api-version=${apiVersion}`,
    Location: `${base}?monitor=true&api-version=${apiVersion}`,
    'Retry-After': '1',
  };
}

function operationStatus(request: ArmRequest): ArmResponse {
  const subscription = subscriptionOf(request);
  const operation = request.env.state.capacity.operations.find(request.params.operation);
  if (!operation || operation.subscriptionId !== subscription.subscriptionId) {
    throw new ArmError(404, 'NotFound', `The operation '${request.params.operation}' was not found.`);
  }
  if (request.url.searchParams.get('monitor')?.toLowerCase() === 'true') {
    if (operation.status === 'InProgress') return { status: 202, headers: { Location: request.url.toString(), 'Retry-After': '1' } };
    if (operation.error) throw new ArmError(500, operation.error.code, operation.error.message);
    return { status: 200 };
  }
  return {
    status: 200,
    body: {
      name: operation.id,
      status: operation.status,
      startTime: operation.startTime,
      ...(operation.endTime ? { endTime: operation.endTime } : {}),
      ...(operation.error ? { error: operation.error } : {}),
    },
  };
}

// ---- usages

function usage(value: string, localizedValue: string, currentValue: number, limit: number): object {
  return { limit, unit: 'Count', currentValue, name: { value, localizedValue } };
}

function listUsages(request: ArmRequest): ArmResponse {
  const subscription = subscriptionOf(request);
  const location = request.params.location.toLowerCase();
  const state = request.env.state;
  const sizes = state.skus.get(location) ?? [];
  const used = state.capacity.usage(state, subscription.subscriptionId, location);
  const limits = state.capacity.quotaOf(location);
  const families = [...new Set(sizes.map((s) => s.family))];
  const vmCount = state.vmsOf(subscription.subscriptionId).filter((vm) => vm.location.toLowerCase() === location).length;
  return {
    status: 200,
    body: {
      value: [
        usage('availabilitySets', 'Availability Sets', 0, 2500),
        usage('cores', 'Total Regional vCPUs', used.regional, limits.regional),
        usage('virtualMachines', 'Virtual Machines', vmCount, 25000),
        usage('virtualMachineScaleSets', 'Virtual Machine Scale Sets', 0, 2500),
        ...families.map((family) =>
          usage(
            family,
            `Standard ${family.replace(/^standard/i, '').replace(/Family$/, '')} Family vCPUs`,
            used.families.get(family.toLowerCase()) ?? 0,
            state.capacity.familyLimit(location, family),
          ),
        ),
        usage('lowPriorityCores', 'Total Regional Low-priority vCPUs', used.lowPriority, limits.lowPriority),
      ],
    },
  };
}

// ---- resource groups

function putResourceGroup(request: ArmRequest): ArmResponse {
  const subscription = subscriptionOf(request);
  const body = jsonBody(request);
  const existing = request.env.state.findResourceGroup(subscription.subscriptionId, request.params.rg);
  if (existing) return { status: 200, body: resourceGroupBody(existing) };
  const location = text(body.location);
  if (!location) throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
  const group: ResourceGroup = {
    id: resourceGroupId(subscription.subscriptionId, request.params.rg),
    subscriptionId: subscription.subscriptionId,
    name: request.params.rg,
    location: location.toLowerCase(),
    tags: tagsOf(body.tags),
  };
  request.env.state.addResourceGroup(group);
  return { status: 201, body: resourceGroupBody(group) };
}

function deleteResourceGroup(request: ArmRequest): ArmResponse {
  const group = groupOf(request);
  const { state } = request.env;
  const operation = state.capacity.operations.begin(group.subscriptionId, request.env.operations.durationMs, async () => {
    for (const vm of [...state.vmsOf(group.subscriptionId, group.name)]) await removeVm(request, vm);
    for (const [key, resource] of state.capacity.resources) {
      if (resource.subscriptionId === group.subscriptionId && resource.resourceGroup.toLowerCase() === group.name.toLowerCase()) {
        state.capacity.resources.delete(key);
      }
    }
    state.removeResourceGroup(group);
    return undefined;
  });
  const headers = operationHeaders(request, 'Microsoft.Resources', group.location, operation.id);
  return { status: 202, headers: { Location: headers.Location, 'Retry-After': '1' } };
}

// ---- network resources and disks, kept as bodies

function storedBody(resource: StoredResource): object {
  return {
    id: resource.id,
    name: resource.name,
    type: resource.type,
    location: resource.location,
    tags: resource.tags,
    ...(resource.sku ? { sku: resource.sku } : {}),
    properties: { provisioningState: 'Succeeded', ...resource.properties },
  };
}

function typeOf(request: ArmRequest, provider: string): string {
  const type = request.params.type;
  return `${provider}/${type}`;
}

function resourceIdOf(request: ArmRequest, provider: string): string {
  return providerResourceId(request.params.sub, request.params.rg, typeOf(request, provider), request.params.name);
}

/** The resources whose bodies mention an id (a NIC naming a public IP, a NIC naming an NSG…). */
function referencesTo(request: ArmRequest, id: string): string[] {
  const needle = `"${id.toLowerCase()}"`;
  const holders = [...request.env.state.capacity.resources.values()]
    .filter((r) => r.id.toLowerCase() !== id.toLowerCase() && JSON.stringify(r.properties).toLowerCase().includes(needle))
    .map((r) => r.id);
  const vms = request.env.state.vms.filter((vm) => vm.nic.id.toLowerCase() === id.toLowerCase()).map((vm) => vm.id);
  return [...holders, ...vms];
}

function putNetworkResource(request: ArmRequest): ArmResponse {
  const group = groupOf(request);
  const body = jsonBody(request);
  const id = resourceIdOf(request, 'Microsoft.Network');
  const store = request.env.state.capacity.resources;
  const existed = store.has(id.toLowerCase());
  const properties = { ...record(body.properties) };
  const type = typeOf(request, 'Microsoft.Network');
  if (type.toLowerCase() === PUBLIC_IP_TYPE.toLowerCase()) {
    const previous = store.get(id.toLowerCase())?.properties.ipAddress;
    properties.ipAddress = previous ?? request.env.state.capacity.allocatePublicAddress();
    properties.publicIPAllocationMethod ??= 'Static';
  }
  if (type.toLowerCase() === NIC_TYPE.toLowerCase()) {
    for (const configuration of Array.isArray(properties.ipConfigurations) ? properties.ipConfigurations : []) {
      const publicIpId = text(record(record(record(configuration).properties).publicIPAddress).id);
      if (publicIpId && !store.has(publicIpId.toLowerCase())) {
        throw new ArmError(400, 'InvalidResourceReference', `Resource ${publicIpId} referenced by resource ${id} was not found.`);
      }
    }
  }
  const resource: StoredResource = {
    id,
    type: [...type.split('/')].join('/'),
    name: request.params.name,
    subscriptionId: group.subscriptionId,
    resourceGroup: group.name,
    location: (text(body.location) ?? group.location).toLowerCase(),
    tags: tagsOf(body.tags),
    properties,
    sku: body.sku,
  };
  store.set(id.toLowerCase(), resource);
  return { status: existed ? 200 : 201, body: storedBody(resource) };
}

const IN_USE_CODES: Record<string, string> = {
  'microsoft.network/networkinterfaces': 'NicInUse',
  'microsoft.network/publicipaddresses': 'PublicIPAddressInUse',
  'microsoft.network/networksecuritygroups': 'InUseNetworkSecurityGroupCannotBeDeleted',
  'microsoft.network/virtualnetworks': 'InUseSubnetCannotBeDeleted',
};

function deleteStoredResource(request: ArmRequest, provider: string): ArmResponse {
  groupOf(request);
  const id = resourceIdOf(request, provider);
  const store = request.env.state.capacity.resources;
  if (!store.has(id.toLowerCase())) return { status: 204 };
  const users = referencesTo(request, id).filter((user) => !user.toLowerCase().startsWith(`${id.toLowerCase()}/`));
  if (users.length > 0) {
    const code = IN_USE_CODES[typeOf(request, provider).toLowerCase()] ?? 'ResourceInUse';
    throw new ArmError(
      400,
      code,
      `Resource ${id} is in use by ${users.join(', ')} and cannot be deleted. Delete or dissociate those first.`,
    );
  }
  store.delete(id.toLowerCase());
  return { status: 200 };
}

/** A created resource's body; for a NIC or public IP not created here, the read-only routes answer (undefined). */
function getStoredResource(request: ArmRequest, provider: string): ArmResponse | undefined {
  groupOf(request);
  const id = resourceIdOf(request, provider);
  const stored = request.env.state.capacity.resources.get(id.toLowerCase());
  if (stored) return { status: 200, body: storedBody(stored) };
  if (/^(networkInterfaces|publicIPAddresses)$/i.test(request.params.type)) return undefined;
  throw resourceNotFound(typeOf(request, provider), request.params.name, request.params.rg);
}

// ---- marketplace images and terms

const IMAGE = `${SUB}/providers/Microsoft\\.Compute/locations/(?<location>[^/]+)/publishers/(?<publisher>[^/]+)/artifacttypes/vmimage/offers/(?<offer>[^/]+)/skus/(?<sku>[^/]+)/versions`;
const AGREEMENT = `${SUB}/providers/Microsoft\\.MarketplaceOrdering/offerTypes/virtualmachine/publishers/(?<publisher>[^/]+)/offers/(?<offer>[^/]+)/plans/(?<plan>[^/]+)/agreements/current`;

function imageOf(request: ArmRequest): MarketplaceImage {
  subscriptionOf(request);
  const image = findImage(request.params.publisher, request.params.offer, request.params.sku);
  if (!image) throw new ArmError(404, 'NotFound', 'Artifact: VMImage was not found.');
  return image;
}

function imageVersionBody(request: ArmRequest, image: MarketplaceImage, version: string): object {
  const id = `/Subscriptions/${request.params.sub}/Providers/Microsoft.Compute/Locations/${request.params.location}/Publishers/${image.publisher}/ArtifactTypes/VMImage/Offers/${image.offer}/Skus/${image.sku}/Versions/${version}`;
  return { id, name: version, location: request.params.location };
}

function getImageVersion(request: ArmRequest): ArmResponse {
  const image = imageOf(request);
  const version = image.versions.find((v) => v === request.params.version);
  if (!version) throw new ArmError(404, 'NotFound', 'Artifact: VMImage was not found.');
  return {
    status: 200,
    body: {
      ...imageVersionBody(request, image, version),
      properties: {
        ...(image.plan ? { plan: image.plan } : {}),
        osDiskImage: { operatingSystem: 'Linux', sizeInGb: 30 },
        dataDiskImages: [],
        hyperVGeneration: 'V2',
        architecture: 'x64',
      },
    },
  };
}

function agreementBody(request: ArmRequest, accepted: boolean): object {
  const { sub, publisher, offer, plan } = request.params;
  return {
    id: `/subscriptions/${sub}/providers/Microsoft.MarketplaceOrdering/offerTypes/VirtualMachine/publishers/${publisher}/offers/${offer}/plans/${plan}/agreements/current`,
    name: plan,
    type: 'Microsoft.MarketplaceOrdering/offertypes',
    properties: {
      publisher,
      product: offer,
      plan,
      licenseTextLink: `https://mpcprodsa.blob.core.windows.net/legalterms/3E5ED_legalterms_${publisher.toUpperCase()}%253a24${offer.toUpperCase()}.txt`,
      privacyPolicyLink: 'https://www.nvidia.com/en-us/about-nvidia/privacy-policy/',
      marketplaceTermsLink:
        'https://mpcprodsa.blob.core.windows.net/marketplaceterms/3EDEF_marketplaceterms_VIRTUALMACHINE%253a24AAK2OAIZEAWW5H4MSP5KSTVB6NDKKRTUBAU23BRFTWN4YC2MQLJUB5ZEYUOUJBVF3YK34CIVPZL2HWYASPGDUY5O2FWEGRBYOXWZE5Y.txt',
      retrieveDatetime: new Date().toISOString(),
      signature: 'SANDBOXSIGNATURE',
      accepted,
    },
  };
}

function getAgreement(request: ArmRequest): ArmResponse {
  const subscription = subscriptionOf(request);
  const { publisher, offer, plan } = request.params;
  return {
    status: 200,
    body: agreementBody(request, request.env.state.capacity.terms.isAccepted(subscription.subscriptionId, publisher, offer, plan)),
  };
}

function putAgreement(request: ArmRequest): ArmResponse {
  const subscription = subscriptionOf(request);
  const { publisher, offer, plan } = request.params;
  const accepted = record(jsonBody(request).properties).accepted === true;
  request.env.state.capacity.terms.setAccepted(subscription.subscriptionId, publisher, offer, plan, accepted);
  return { status: 200, body: agreementBody(request, accepted) };
}

/** Azure's checks of a VM's image: it exists, and a Marketplace image comes with its plan and accepted terms. */
function checkImage(request: ArmRequest, subscriptionId: string, vmName: string, body: Record<string, unknown>): void {
  const reference = record(record(record(body.properties).storageProfile).imageReference);
  const [publisher, offer, sku, version] = [reference.publisher, reference.offer, reference.sku, reference.version].map(
    (v) => text(v) ?? '',
  );
  const image = findImage(publisher, offer, sku);
  if (!image || (version.toLowerCase() !== 'latest' && !image.versions.includes(version))) {
    throw new ArmError(
      404,
      'PlatformImageNotFound',
      `The platform image '${publisher}:${offer}:${sku}:${version}' is not available. Verify that all fields in the storage profile are correct.`,
    );
  }
  if (!image.plan) return;
  const plan = record(body.plan);
  if (text(plan.name) !== image.plan.name || text(plan.product) !== image.plan.product || text(plan.publisher) !== image.plan.publisher) {
    throw new ArmError(
      400,
      'VMMarketplaceInvalidInput',
      `Creating a virtual machine from Marketplace image or a custom image sourced from a Marketplace image requires Plan information in the request. VM: '${vmName}'.`,
    );
  }
  if (!request.env.state.capacity.terms.isAccepted(subscriptionId, image.plan.publisher, image.plan.product, image.plan.name)) {
    throw new ArmError(
      400,
      'ResourcePurchaseValidationFailed',
      `User failed validation to purchase resources. Error message: 'You have not accepted the legal terms on this subscription: '${subscriptionId}' for this plan. ` +
        'Before the subscription can be used, you need to accept the legal terms of the image. To read and accept legal terms, use the Azure CLI commands ' +
        "described at https://go.microsoft.com/fwlink/?linkid=2110637 or the PowerShell commands available at https://go.microsoft.com/fwlink/?linkid=862451.'",
    );
  }
}

// ---- virtual machines

function skuNotAvailable(size: string, location: string, zone?: string): ArmError {
  const where = zone ? `location '${location}' zone '${zone}'` : `location '${location}'`;
  return new ArmError(
    409,
    'SkuNotAvailable',
    `The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: ${size}' is currently not available in ${where}. ` +
      'Please try another size or deploy to a different location or different zone. See https://aka.ms/azureskunotavailable for details.',
  );
}

function quotaExceeded(quota: string, location: string, limit: number, usage: number, required: number): ArmError {
  const message = QUOTA_EXCEEDED_MESSAGE.replace(/standardNCADSA100v4Family/g, quota)
    .replace(/eastus/g, location)
    .replace('Current Limit: 24', `Current Limit: ${limit}`)
    .replace('Current Usage: 24', `Current Usage: ${usage}`)
    .replace('Additional Required: 24', `Additional Required: ${required}`)
    .replace(/New Limit Required: 48/, `New Limit Required: ${usage + required}`)
    .replace('%22newLimit%22:48', `%22newLimit%22:${usage + required}`);
  return new ArmError(409, 'OperationNotAllowed', message);
}

function checkQuota(request: ArmRequest, subscriptionId: string, location: string, sizeName: string, spot: boolean): void {
  const { state } = request.env;
  const size = findVmSize(sizeName)!;
  const used = state.capacity.usage(state, subscriptionId, location);
  const limits = state.capacity.quotaOf(location);
  if (spot) {
    if (used.lowPriority + size.vCPUs > limits.lowPriority) {
      throw quotaExceeded('LowPriorityCores', location, limits.lowPriority, used.lowPriority, size.vCPUs);
    }
    return;
  }
  const familyUsed = used.families.get(size.family.toLowerCase()) ?? 0;
  const familyLimit = state.capacity.familyLimit(location, size.family);
  if (familyUsed + size.vCPUs > familyLimit) throw quotaExceeded(size.family, location, familyLimit, familyUsed, size.vCPUs);
  if (used.regional + size.vCPUs > limits.regional) {
    throw quotaExceeded('Total Regional', location, limits.regional, used.regional, size.vCPUs);
  }
}

function attachedNic(request: ArmRequest, group: ResourceGroup, nicId: string, vmId: string, location: string): NetworkInterface {
  const { capacity } = request.env.state;
  const stored = capacity.resources.get(nicId.toLowerCase());
  if (!stored) throw new ArmError(404, 'NotFound', `Resource ${nicId} not found.`);
  const configurations = Array.isArray(stored.properties.ipConfigurations) ? stored.properties.ipConfigurations : [];
  const configuration = record(record(configurations[0]).properties);
  const publicIpStored = capacity.resources.get((text(record(configuration.publicIPAddress).id) ?? '').toLowerCase());
  const ipConfigurationId = `${stored.id}/ipConfigurations/${text(record(configurations[0]).name) ?? 'ipconfig1'}`;
  const publicIp: PublicIpAddress | undefined = publicIpStored && {
    id: publicIpStored.id,
    name: publicIpStored.name,
    location,
    allocation: 'Static',
    ipAddress: text(publicIpStored.properties.ipAddress),
    ipConfigurationId,
  };
  const suffix = crypto.createHash('sha256').update(stored.id).digest();
  return {
    id: stored.id,
    name: stored.name,
    location,
    privateIpAddress: `10.200.${suffix[0]}.${4 + (suffix[1] % 250)}`,
    macAddress: `00-0D-3A-${suffix.subarray(2, 5).toString('hex').toUpperCase().match(/../g)!.join('-')}`,
    subnetId: text(record(configuration.subnet).id) ?? `${group.id}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`,
    virtualMachineId: vmId,
    publicIp,
  };
}

function putVirtualMachine(request: ArmRequest): ArmResponse {
  const group = groupOf(request);
  const { state } = request.env;
  const body = jsonBody(request);
  const properties = record(body.properties);
  const location = (text(body.location) ?? group.location).toLowerCase();
  const id = providerResourceId(group.subscriptionId, group.name, VM_TYPE, request.params.vm);
  if (state.findVm(group.subscriptionId, group.name, request.params.vm)) {
    throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'osProfile' is not allowed.");
  }
  const sizeName = text(record(properties.hardwareProfile).vmSize) ?? '';
  const size = findVmSize(sizeName);
  const offered = (state.skus.get(location) ?? []).some((s) => s.name.toLowerCase() === sizeName.toLowerCase());
  const zone = Array.isArray(body.zones) ? text(body.zones[0]) : undefined;
  if (!size || !offered) throw skuNotAvailable(sizeName, location);
  for (const restriction of state.capacity.restrictionsOf(location, size.name)) {
    if (!restriction.zones) throw skuNotAvailable(size.name, location);
    if (zone !== undefined && restriction.zones.includes(zone)) throw skuNotAvailable(size.name, location, zone);
  }
  checkImage(request, group.subscriptionId, request.params.vm, body);
  const spot = text(properties.priority)?.toLowerCase() === 'spot';
  checkQuota(request, group.subscriptionId, location, size.name, spot);
  const nicReferences = record(properties.networkProfile).networkInterfaces;
  const nicId = text(record(Array.isArray(nicReferences) ? nicReferences[0] : undefined).id);
  if (!nicId) throw new ArmError(400, 'InvalidParameter', "Required parameter 'networkProfile' is missing (null).");
  const osProfile = record(properties.osProfile);
  const sshKeys = record(record(osProfile.linuxConfiguration).ssh).publicKeys;
  const vm: VirtualMachine = {
    id,
    name: request.params.vm,
    subscriptionId: group.subscriptionId,
    resourceGroup: group.name,
    location,
    size,
    vmId: crypto.randomUUID(),
    zone,
    tags: tagsOf(body.tags),
    timeCreated: new Date().toISOString(),
    nic: attachedNic(request, group, nicId, id, location),
    simulatedHost: false,
    powerState: 'starting',
    provisioning: { state: 'Creating' },
    pendingOperation: 'create',
  };
  const osDiskId = providerResourceId(group.subscriptionId, group.name, 'Microsoft.Compute/disks', `${vm.name}_OsDisk_1`);
  state.capacity.createdVms.set(id.toLowerCase(), {
    priority: spot ? 'Spot' : 'Regular',
    customData: text(osProfile.customData),
    adminUsername: text(osProfile.adminUsername) ?? 'azureuser',
    sshPublicKeys: (Array.isArray(sshKeys) ? sshKeys : []).map((k) => text(record(k).keyData) ?? ''),
    osDiskId,
  });
  state.addVm(vm);
  const failure = state.capacity.takeCreateFailure(vm.name, zone);
  const operation = state.capacity.operations.begin(group.subscriptionId, request.env.operations.durationMs, async () => {
    if (vm.pendingOperation !== 'create') {
      return undefined; // deleted while it was being created
    }
    if (failure) {
      vm.pendingOperation = undefined;
      // As in Azure, a VM whose allocation failed stays, in the Failed state, until deleted.
      const error = { code: failure.code, message: failure.message ?? `Allocation failed (${failure.code}).` };
      vm.provisioning = { state: 'Failed', error };
      vm.powerState = 'deallocated';
      return error;
    }
    state.capacity.resources.set(osDiskId.toLowerCase(), {
      id: osDiskId,
      type: 'Microsoft.Compute/disks',
      name: `${vm.name}_OsDisk_1`,
      subscriptionId: vm.subscriptionId,
      resourceGroup: vm.resourceGroup,
      location,
      tags: {},
      properties: { diskSizeGB: 128, diskState: 'Attached', osType: 'Linux' },
      sku: { name: 'Premium_LRS', tier: 'Premium' },
    });
    const facts = state.capacity.createdVms.get(vm.id.toLowerCase());
    try {
      if (facts) await state.capacity.hooks.onVmCreated?.(vm, facts);
    } catch (e) {
      const error = { code: 'InternalExecutionError', message: `The sandbox could not start the VM's host: ${String(e)}` };
      vm.pendingOperation = undefined;
      vm.provisioning = { state: 'Failed', error };
      return error;
    }
    if (vm.pendingOperation !== 'create') return undefined;
    vm.pendingOperation = undefined;
    vm.provisioning = { state: 'Succeeded' };
    vm.powerState = 'running';
    return undefined;
  });
  return {
    status: 201,
    body: virtualMachineBody(vm, false),
    headers: { 'Azure-AsyncOperation': operationHeaders(request, 'Microsoft.Compute', location, operation.id)['Azure-AsyncOperation'] },
  };
}

async function removeVm(request: ArmRequest, vm: VirtualMachine): Promise<void> {
  const { state } = request.env;
  await state.capacity.hooks.onVmDeleted?.(vm);
  const facts = state.capacity.createdVms.get(vm.id.toLowerCase());
  state.removeVm(vm);
  state.capacity.createdVms.delete(vm.id.toLowerCase());
  if (facts) state.capacity.resources.delete(facts.osDiskId.toLowerCase()); // the OS disk's deleteOption is Delete
}

function deleteVirtualMachine(request: ArmRequest): ArmResponse {
  const group = groupOf(request);
  const vm = request.env.state.findVm(group.subscriptionId, group.name, request.params.vm);
  if (!vm) return { status: 204 };
  if (vm.pendingOperation && vm.pendingOperation !== 'create') {
    throw new ArmError(
      409,
      'OperationNotAllowed',
      `Operation 'delete' is not allowed on VM '${vm.name}' since another operation ('${vm.pendingOperation}') is in progress.`,
    );
  }
  vm.provisioning = { state: 'Deleting' };
  vm.pendingOperation = 'delete';
  const operation = request.env.state.capacity.operations.begin(group.subscriptionId, request.env.operations.durationMs, async () => {
    await removeVm(request, vm);
    return undefined;
  });
  return { status: 202, headers: operationHeaders(request, 'Microsoft.Compute', vm.location, operation.id) };
}

/** `GET …/resourceGroups/{rg}/resources`: the VMs and the created resources of a group, as generic resources. */
function listGroupResources(request: ArmRequest): ArmResponse {
  const group = groupOf(request);
  const { state } = request.env;
  const vms = state
    .vmsOf(group.subscriptionId, group.name)
    .map((vm) => ({ id: vm.id, name: vm.name, type: VM_TYPE, location: vm.location, tags: vm.tags }));
  const stored = [...state.capacity.resources.values()]
    .filter((r) => r.subscriptionId === group.subscriptionId && r.resourceGroup.toLowerCase() === group.name.toLowerCase())
    .map((r) => ({ id: r.id, name: r.name, type: r.type, location: r.location, tags: r.tags }));
  const storedIds = new Set(stored.map((r) => r.id.toLowerCase()));
  const cloudNetwork = state
    .vmsOf(group.subscriptionId, group.name)
    .flatMap((vm) =>
      [vm.nic, ...(vm.nic.publicIp ? [vm.nic.publicIp] : [])]
        .filter((r) => !storedIds.has(r.id.toLowerCase()))
        .map((r) => ({ id: r.id, name: r.name, type: r === vm.nic ? NIC_TYPE : PUBLIC_IP_TYPE, location: r.location })),
    );
  return { status: 200, body: { value: [...vms, ...stored, ...cloudNetwork] } };
}

const PROVIDER_OPERATIONS = `${SUB}/providers/Microsoft\\.(?:Compute|Network|Resources)/locations/(?<location>[^/]+)/operations/(?<operation>${PROVISIONING_OPERATION_PREFIX}[^/]+)`;

export const PROVISIONING_ROUTES: readonly Route[] = [
  route('GET', PROVIDER_OPERATIONS, operationStatus),
  route('GET', `${SUB}/providers/Microsoft\\.Compute/locations/(?<location>[^/]+)/usages`, listUsages),
  route('GET', IMAGE, (r) => {
    const image = imageOf(r);
    return {
      status: 200,
      body: [...image.versions]
        .sort()
        .reverse()
        .map((v) => imageVersionBody(r, image, v)),
    };
  }),
  route('GET', `${IMAGE}/(?<version>[^/]+)`, getImageVersion),
  route('GET', AGREEMENT, getAgreement),
  route('PUT', AGREEMENT, putAgreement),
  route('GET', `${RG}/resources`, listGroupResources),
  route('PUT', RG, putResourceGroup),
  route('DELETE', RG, deleteResourceGroup),
  route('PUT', `${RG}/providers/Microsoft\\.Network/(?<type>${NETWORK_TYPES})/(?<name>[^/]+)`, putNetworkResource),
  route('DELETE', `${RG}/providers/Microsoft\\.Network/(?<type>${NETWORK_TYPES})/(?<name>[^/]+)`, (r) =>
    deleteStoredResource(r, 'Microsoft.Network'),
  ),
  route('GET', `${RG}/providers/Microsoft\\.Network/(?<type>${NETWORK_TYPES})/(?<name>[^/]+)`, (r) =>
    getStoredResource(r, 'Microsoft.Network'),
  ),
  route('GET', `${RG}/providers/Microsoft\\.Compute/(?<type>disks)/(?<name>[^/]+)`, (r) => getStoredResource(r, 'Microsoft.Compute')),
  route('DELETE', `${RG}/providers/Microsoft\\.Compute/(?<type>disks)/(?<name>[^/]+)`, (r) => deleteStoredResource(r, 'Microsoft.Compute')),
  route('PUT', `${RG}/providers/Microsoft\\.Compute/virtualMachines/(?<vm>[^/]+)`, putVirtualMachine),
  route('DELETE', `${RG}/providers/Microsoft\\.Compute/virtualMachines/(?<vm>[^/]+)`, deleteVirtualMachine),
];
