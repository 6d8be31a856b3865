import * as vscode from 'vscode';
import { UserCancelledError } from '../../../common/errors';
import type { CommandServices } from '../../services';
import { settings, updateSetting } from '../../settings';
import { sshHostOf } from '../nodeArguments';
import { sshHostSpecProblem } from '../sshHosts';

/** Add SSH Host…: a machine of the user's own as a training target (kept in azurePytorch.ssh.hosts). */
export async function addSshHost(_services: CommandServices): Promise<void> {
  const existing = new Set(settings.sshHosts().map((h) => h.toLowerCase()));
  const host = await vscode.window.showInputBox({
    title: 'Azure PyTorch: Add SSH Host',
    prompt: 'A machine to train on: user@host, user@host:port, or a Host alias of ~/.ssh/config',
    placeHolder: 'azureuser@gpu-box.example.com',
    ignoreFocusOut: true,
    validateInput: (value) =>
      sshHostSpecProblem(value) ?? (existing.has(value.trim().toLowerCase()) ? `${value.trim()} is already in the list.` : undefined),
  });
  if (host === undefined) throw new UserCancelledError();
  await updateSetting('sshHosts', [...settings.sshHosts(), host.trim()]);
}

/** Remove SSH Host: takes an added host out of azurePytorch.ssh.hosts. */
export async function removeSshHost(_services: CommandServices, arg?: unknown): Promise<void> {
  const hosts = settings.sshHosts();
  const target =
    sshHostOf(arg) ??
    (await vscode.window.showQuickPick(hosts, { title: 'Azure PyTorch: Remove SSH Host', placeHolder: 'The added SSH host to remove' }));
  if (!target) throw new UserCancelledError();
  const remaining = hosts.filter((h) => h.trim().toLowerCase() !== target.trim().toLowerCase());
  if (remaining.length === hosts.length) {
    throw new Error(`${target} comes from ~/.ssh/config; remove it there.`);
  }
  await updateSetting('sshHosts', remaining);
}

/**
 * Connect to Read GPUs: connects to an SSH host as the user asked (so an unknown host key or a key's
 * passphrase is asked about now, not during a tree refresh) and shows its GPUs on its node.
 */
export async function readSshHostGpus(services: CommandServices, arg?: unknown): Promise<void> {
  const host = sshHostOf(arg);
  if (!host) throw new Error('Use it on a host of the SSH Hosts node in the Clusters view.');
  const problem = sshHostSpecProblem(host);
  if (problem) throw new Error(problem);
  const state = await vscode.window.withProgress({ location: { viewId: 'azurePytorch.clusters' } }, () =>
    services.clusters.sshHostGpus.connectAndRead(host),
  );
  if (state.status === 'failed') throw new Error(`${state.message}. ${state.advice}`);
}
