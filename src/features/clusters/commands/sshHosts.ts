import * as vscode from 'vscode';
import { sshHostSpecProblem } from '../sshHosts';
import type { CommandServices } from '../../services';

const SETTING = 'ssh.hosts';

function addedHosts(): string[] {
  return vscode.workspace.getConfiguration('azurePytorch').get<string[]>(SETTING, []);
}

/** Add SSH Host…: a machine of the user's own as a training target (kept in azurePytorch.ssh.hosts). */
export async function addSshHost(_services: CommandServices): Promise<void> {
  const existing = new Set(addedHosts().map((h) => h.toLowerCase()));
  const host = await vscode.window.showInputBox({
    title: 'Azure PyTorch: Add SSH Host',
    prompt: 'A machine to train on: user@host, user@host:port, or a Host alias of ~/.ssh/config',
    placeHolder: 'azureuser@gpu-box.example.com',
    ignoreFocusOut: true,
    validateInput: (value) =>
      sshHostSpecProblem(value) ?? (existing.has(value.trim().toLowerCase()) ? `${value.trim()} is already in the list.` : undefined),
  });
  if (host === undefined) return;
  await vscode.workspace
    .getConfiguration('azurePytorch')
    .update(SETTING, [...addedHosts(), host.trim()], vscode.ConfigurationTarget.Global);
}

/** Remove SSH Host: takes an added host out of azurePytorch.ssh.hosts. */
export async function removeSshHost(_services: CommandServices, arg?: unknown): Promise<void> {
  const host = (arg as { kind?: string; host?: string } | undefined)?.kind === 'sshHost' ? (arg as { host: string }).host : undefined;
  const hosts = addedHosts();
  const target =
    host ??
    (await vscode.window.showQuickPick(hosts, { title: 'Azure PyTorch: Remove SSH Host', placeHolder: 'The added SSH host to remove' }));
  if (!target) return;
  const remaining = hosts.filter((h) => h.trim().toLowerCase() !== target.trim().toLowerCase());
  if (remaining.length === hosts.length) {
    throw new Error(`${target} comes from ~/.ssh/config; remove it there.`);
  }
  await vscode.workspace.getConfiguration('azurePytorch').update(SETTING, remaining, vscode.ConfigurationTarget.Global);
}

/**
 * Connect to Read GPUs: connects to an SSH host as the user asked (so an unknown host key or a key's
 * passphrase is asked about now, not during a tree refresh) and shows its GPUs on its node.
 */
export async function readSshHostGpus(services: CommandServices, arg?: unknown): Promise<void> {
  const node = arg as { kind?: string; host?: string } | undefined;
  const host = node?.kind === 'sshHost' ? node.host : undefined;
  if (!host) throw new Error('Use it on a host of the SSH Hosts node in the Clusters view.');
  const problem = sshHostSpecProblem(host);
  if (problem) throw new Error(problem);
  const state = await vscode.window.withProgress({ location: { viewId: 'azurePytorch.clusters' } }, () =>
    services.clusters.sshHostGpus.connectAndRead(host),
  );
  if (state.status === 'failed') throw new Error(`${state.message}. ${state.advice}`);
}
