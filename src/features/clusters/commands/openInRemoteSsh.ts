import * as vscode from 'vscode';
import { parseSshDestination, type SshTarget } from '../../../ssh/sshTarget';
import { showInformation } from '../../messages';
import type { CommandServices } from '../../services';
import { sshHostOf } from '../nodeArguments';
import { remoteSshAuthority } from '../sshHosts';
import { vmFromArgument } from '../vmPicker';

const REMOTE_SSH = 'ms-vscode-remote.remote-ssh';

/** Open in Remote-SSH: a new window on the VM (or SSH host) through the Remote - SSH extension. */
export async function openInRemoteSsh(services: CommandServices, arg?: unknown): Promise<void> {
  const remoteAuthority = remoteSshAuthority(await targetOf(services, arg));
  if (!vscode.extensions.getExtension(REMOTE_SSH)) {
    const install = 'Show Remote - SSH';
    const answer = await showInformation('opening a VM in a remote window needs the Remote - SSH extension.', install);
    if (answer === install) await vscode.commands.executeCommand('workbench.extensions.search', REMOTE_SSH);
    return;
  }
  await vscode.commands.executeCommand('vscode.newWindow', { remoteAuthority, reuseWindow: false });
}

/** The SSH host node's host, or the VM at the address the extension's own connections use. */
async function targetOf(services: CommandServices, arg: unknown): Promise<SshTarget> {
  const host = sshHostOf(arg);
  if (host) return parseSshDestination(host);
  const vm = await vmFromArgument(services.clustersService, arg, (v) => v.status.powerState === 'running', 'Open which VM in Remote-SSH?');
  return { host: await services.connector.vmAddresses.resolve(vm), user: vm.osUser ?? 'azureuser', label: vm.name };
}
