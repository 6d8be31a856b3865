import * as vscode from 'vscode';
import { parseSshDestination, type SshTarget } from '../../../ssh/sshTarget';
import { remoteSshAuthority } from '../sshHosts';
import { vmFromArgument } from '../vmPicker';
import type { CommandServices } from '../../services';

const REMOTE_SSH = 'ms-vscode-remote.remote-ssh';

/** Open in Remote-SSH: a new window on the VM (or SSH host) through the Remote - SSH extension. */
export async function openInRemoteSsh(services: CommandServices, arg?: unknown): Promise<void> {
  const target = await targetOf(services, arg);
  if (!target) return;
  if (!vscode.extensions.getExtension(REMOTE_SSH)) {
    const install = 'Show Remote - SSH';
    const answer = await vscode.window.showInformationMessage(
      'Azure PyTorch: opening a VM in a remote window needs the Remote - SSH extension.',
      install,
    );
    if (answer === install) await vscode.commands.executeCommand('workbench.extensions.search', REMOTE_SSH);
    return;
  }
  await vscode.commands.executeCommand('vscode.newWindow', { remoteAuthority: remoteSshAuthority(target), reuseWindow: false });
}

async function targetOf(services: CommandServices, arg: unknown): Promise<SshTarget | undefined> {
  const node = arg as { kind?: string; host?: string } | undefined;
  if (node?.kind === 'sshHost' && node.host) return parseSshDestination(node.host);
  const vm = await vmFromArgument(services.clustersService, arg, (v) => v.status.powerState === 'running', 'Open which VM in Remote-SSH?');
  if (!vm) return undefined;
  const usePrivate = vscode.workspace.getConfiguration('azurePytorch').get<boolean>('ssh.usePrivateIp', false);
  const host = usePrivate ? vm.privateIp : (vm.publicIp ?? vm.privateIp);
  if (!host) throw new Error(`${vm.name} has no ${usePrivate ? 'private' : 'public'} IP address.`);
  return { host, user: vm.osUser };
}
