import { sshHostSpecProblem } from '../sshHosts';
import { vmFromArgument } from '../vmPicker';
import type { CommandServices } from '../../services';

/**
 * Open SSH Terminal: a VS Code terminal on a running VM (or an SSH host) over the extension's own
 * pooled SSH connection (its host keys and keys; no system ssh needed), in the remote home.
 */
export async function openSshTerminal(services: CommandServices, arg?: unknown): Promise<void> {
  const node = arg as { kind?: string; host?: string } | undefined;
  if (node?.kind === 'sshHost' && node.host) {
    const problem = sshHostSpecProblem(node.host);
    if (problem) throw new Error(problem);
    await services.jobsService.connector.openTerminal({ kind: 'ssh', id: node.host, label: node.host }, '.', `SSH: ${node.host}`);
    return;
  }
  const vm = await vmFromArgument(services.clustersService, arg, (v) => v.status.powerState === 'running', 'Open a terminal on which VM?');
  if (!vm) return;
  await services.jobsService.connector.openTerminal({ kind: 'vm', id: vm.id, label: vm.name }, '.', `SSH: ${vm.name}`);
}
