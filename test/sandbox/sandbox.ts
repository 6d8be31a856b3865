/**
 * The sandbox cloud: the Resource Manager stand-in plus one simulated GPU host per VM of the cloud
 * that has one. A VM's power state drives its host: deallocate or power off stops it (sshd and every
 * process in it), start brings it back with the same disk.
 *
 *   const sandbox = await startSandbox({ stateDir });
 *   sandbox.arm.endpoint, sandbox.arm.caFile, sandbox.hosts.privateKeyPath, sandbox.vms
 *   sandbox.imds.endpointOf(vm)   each simulated VM's instance metadata service (its managed identity's tokens)
 *   await sandbox.dispose();
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  type ArmStandIn,
  type CloudSpec,
  findVmSize,
  loadCloudSpec,
  type RetailPricesStandIn,
  startArmStandIn,
  startRetailPricesStandIn,
} from './arm';
import { hostKeyFromCustomData } from './cloud-init';
import { type HostSpec, type SimulatedHosts, startSimulatedHosts } from './hosts';
import { type InstanceMetadataStandIn, startInstanceMetadataStandIn } from './imds';

export interface SandboxOptions {
  stateDir: string;
  cloud?: CloudSpec;
  /** How long a power operation takes at the stand-in; 3000 ms when absent. */
  operationMs?: number;
  /** Port of the Resource Manager stand-in; any free port when absent. */
  armPort?: number;
}

export interface SandboxVm {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  size: string;
  address: string;
  powerState: string;
}

export interface Sandbox {
  readonly stateDir: string;
  readonly arm: ArmStandIn;
  readonly hosts: SimulatedHosts;
  /** The Retail Prices API stand-in (plain HTTP on loopback). */
  readonly prices: RetailPricesStandIn;
  /** The instance metadata service of each VM of the cloud's spec, on the VM's own address, one port for all. */
  readonly imds: InstanceMetadataStandIn;
  /** The VMs that have a simulated host. */
  readonly vms: readonly SandboxVm[];
  /** Connection facts of the sandbox, also written to `<stateDir>/sandbox.json`. */
  readonly summary: SandboxSummary;
  dispose(): Promise<void>;
}

export interface SandboxSummary {
  resourceManagerEndpoint: string;
  caFile: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  sshUser: string;
  sshPrivateKey: string;
  sshKnownHosts: string;
  /** The Retail Prices API stand-in's endpoint (the azurePytorch.capacity.retailPricesEndpoint setting). */
  retailPricesEndpoint: string;
  /** The VMs' instance metadata service, `{vmAddress}` for each VM's address (azurePytorch.costGuard.instanceMetadataEndpoint). */
  instanceMetadataEndpoint: string;
  vms: SandboxVm[];
}

function simulatedVms(cloud: CloudSpec): SandboxVm[] {
  const vms: SandboxVm[] = [];
  for (const subscription of cloud.subscriptions) {
    for (const group of subscription.resourceGroups) {
      for (const vm of group.vms) {
        if (!vm.simulatedHost || !vm.publicIpAddress) continue;
        vms.push({
          name: vm.name,
          subscriptionId: subscription.subscriptionId,
          resourceGroup: group.name,
          size: vm.size,
          address: vm.publicIpAddress,
          powerState: vm.powerState ?? 'running',
        });
      }
    }
  }
  return vms;
}

function hostSpec(vm: SandboxVm): HostSpec {
  const size = findVmSize(vm.size);
  const gpu =
    size?.gpus && size.gpuModel ? { model: size.gpuModel, count: size.gpus, memoryMiB: (size.gpuMemoryGB ?? 16) * 1024 } : undefined;
  return { name: vm.name, address: vm.address, gpu };
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const stateDir = path.resolve(options.stateDir);
  fs.mkdirSync(stateDir, { recursive: true });
  const cloud = options.cloud ?? loadCloudSpec();
  const vms = simulatedVms(cloud);
  const hosts = await startSimulatedHosts(vms.map(hostSpec), { stateDir: path.join(stateDir, 'hosts') });
  let arm: ArmStandIn | undefined;
  let prices: RetailPricesStandIn | undefined;
  let imds: InstanceMetadataStandIn | undefined;
  try {
    prices = await startRetailPricesStandIn();
    await Promise.all(vms.filter((vm) => vm.powerState !== 'running').map((vm) => hosts.stop(vm.name)));
    const hosted = new Set(vms.map((vm) => vm.name));
    arm = await startArmStandIn({
      stateDir: path.join(stateDir, 'arm'),
      cloud,
      port: options.armPort,
      operationMs: options.operationMs,
      onPowerChange: async (vm, state) => {
        if (!hosted.has(vm.name)) return;
        if (state === 'running') await hosts.start(vm.name);
        else await hosts.stop(vm.name);
      },
      // A VM created through the stand-in becomes a simulated host at its public IP, with the host
      // key of its custom data and the login key it was created with.
      vmLifecycle: {
        onVmCreated: async (vm, facts) => {
          const address = vm.nic.publicIp?.ipAddress;
          if (!address) return;
          const created: SandboxVm = {
            name: vm.name,
            subscriptionId: vm.subscriptionId,
            resourceGroup: vm.resourceGroup,
            size: vm.size.name,
            address,
            powerState: 'running',
          };
          await hosts.add(hostSpec(created), { ...hostKeyFromCustomData(facts.customData), authorizedKey: facts.sshPublicKeys[0] });
          hosted.add(vm.name);
          await imds?.add({ name: vm.name, address });
        },
        onVmDeleted: async (vm) => {
          if (!hosted.delete(vm.name)) return;
          await hosts.stop(vm.name);
        },
      },
    });
    imds = await startInstanceMetadataStandIn({ vms, identities: arm.identities });
  } catch (error) {
    await imds?.close();
    await arm?.close();
    await prices?.close();
    await hosts.dispose();
    throw error;
  }
  const summary: SandboxSummary = {
    resourceManagerEndpoint: arm.endpoint,
    caFile: arm.caFile,
    tenantId: arm.tenantId,
    clientId: arm.clientId,
    clientSecret: arm.clientSecret,
    sshUser: hosts.user,
    sshPrivateKey: hosts.privateKeyPath,
    sshKnownHosts: hosts.knownHostsPath,
    retailPricesEndpoint: prices.endpoint,
    instanceMetadataEndpoint: `http://{vmAddress}:${imds.port}`,
    vms,
  };
  fs.writeFileSync(path.join(stateDir, 'sandbox.json'), JSON.stringify(summary, null, 2));
  const standIn = arm;
  const priceApi = prices;
  const metadata = imds;
  return {
    stateDir,
    arm: standIn,
    hosts,
    prices: priceApi,
    imds: metadata,
    vms,
    summary,
    async dispose() {
      const results = await Promise.allSettled([standIn.close(), priceApi.close(), metadata.close(), hosts.dispose()]);
      fs.rmSync(stateDir, { recursive: true, force: true });
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}
