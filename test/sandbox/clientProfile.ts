/**
 * What a user of the sandbox cloud has on their own machine: a home folder with the SSH key the VMs
 * accept and their host keys in ~/.ssh, and the VS Code settings and environment that point the
 * extension at the sandbox — the same ones a user of a custom cloud with a service principal sets.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SandboxSummary } from './sandbox';

export interface ClientProfile {
  /** The HOME of the VS Code server (and so of the extension host). */
  home: string;
  env: Record<string, string>;
  settings: Record<string, unknown>;
}

export function writeClientProfile(sandbox: SandboxSummary, home: string): ClientProfile {
  const ssh = path.join(home, '.ssh');
  fs.mkdirSync(ssh, { recursive: true, mode: 0o700 });
  fs.copyFileSync(sandbox.sshPrivateKey, path.join(ssh, 'id_ed25519'));
  fs.chmodSync(path.join(ssh, 'id_ed25519'), 0o600);
  fs.copyFileSync(`${sandbox.sshPrivateKey}.pub`, path.join(ssh, 'id_ed25519.pub'));
  fs.copyFileSync(sandbox.sshKnownHosts, path.join(ssh, 'known_hosts'));
  // A machine of the user's own, reached through ~/.ssh/config: the SSH Hosts node lists it.
  const lab = sandbox.vms.find((vm) => vm.powerState === 'running');
  const config = lab ? `Host lab-gpu\n  HostName ${lab.address}\n  User ${sandbox.sshUser}\n` : '';
  fs.writeFileSync(path.join(ssh, 'config'), config, { mode: 0o600 });
  return {
    home,
    env: {
      HOME: home,
      AZURE_TENANT_ID: sandbox.tenantId,
      AZURE_CLIENT_ID: sandbox.clientId,
      AZURE_CLIENT_SECRET: sandbox.clientSecret,
    },
    settings: {
      'azurePytorch.cloud': 'Custom',
      'azurePytorch.resourceManagerEndpoint': sandbox.resourceManagerEndpoint,
      'azurePytorch.authorityHost': sandbox.resourceManagerEndpoint,
      'azurePytorch.caCertificate': sandbox.caFile,
      'azurePytorch.credential': 'environment',
      'azurePytorch.capacity.retailPricesEndpoint': sandbox.retailPricesEndpoint,
      // The VMs' watchdogs reach the stand-ins on this machine's loopback, as the extension does.
      'azurePytorch.costGuard.instanceMetadataEndpoint': sandbox.instanceMetadataEndpoint,
      'azurePytorch.costGuard.resourceManagerEndpoint': sandbox.resourceManagerEndpoint,
    },
  };
}
