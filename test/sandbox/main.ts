/**
 * `npm run sandbox`: starts the sandbox cloud, prints what it started, and stops everything on
 * Ctrl-C (or SIGTERM). State lives in .sandbox/cloud/ and is removed on exit.
 */
import * as path from 'path';
import { startSandbox, type Sandbox } from './sandbox';
import { onTermination } from './termination';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const sandbox = await startSandbox({ stateDir: path.join(root, '.sandbox', 'cloud') });
  printSummary(sandbox);
  console.log('\nPress Ctrl-C to stop the sandbox.');
  await onTermination();
  console.log('Stopping the sandbox…');
  await sandbox.dispose();
}

export function printSummary(sandbox: Sandbox): void {
  const s = sandbox.summary;
  console.log(`Resource Manager: ${s.resourceManagerEndpoint}`);
  console.log(`CA certificate:   ${s.caFile}`);
  console.log(`Service principal: tenant ${s.tenantId}, client ${s.clientId}`);
  console.log(`SSH: user ${s.sshUser}, key ${s.sshPrivateKey}, known_hosts ${s.sshKnownHosts}`);
  console.log('VMs:');
  for (const vm of s.vms) console.log(`  ${vm.name.padEnd(14)} ${vm.address.padEnd(11)} ${vm.size.padEnd(26)} ${vm.powerState}`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
