import { sshMachine, vmMachine } from '../../../common/machine';
import { sshHostOf } from '../nodeArguments';
import { sshHostSpecProblem } from '../sshHosts';
import { vmFromArgument } from '../vmPicker';
import type { CommandServices } from '../../services';

/**
 * Open SSH Terminal: a VS Code terminal on a running VM (or an SSH host) over the extension's own
 * pooled SSH connection (its host keys and keys; no system ssh needed), in the remote home.
 */
export async function openSshTerminal(services: CommandServices, arg?: unknown): Promise<void> {
  const host = sshHostOf(arg);
  if (host) {
    const problem = sshHostSpecProblem(host);
    if (problem) throw new Error(problem);
    await services.connector.openTerminal(sshMachine(host), '.', `SSH: ${host}`);
    return;
  }
  const vm = await vmFromArgument(services.clustersService, arg, (v) => v.status.powerState === 'running', 'Open a terminal on which VM?');
  await services.connector.openTerminal(vmMachine(vm), '.', `SSH: ${vm.name}`);
}
