import * as vscode from 'vscode';
import { azureLayer } from '../../azureLayer';
import type { CommandServices } from '../../services';

/** Select Subscriptions…: which subscriptions of the tenant the Clusters view shows (azurePytorch.subscriptions). */
export async function selectSubscriptions(services: CommandServices): Promise<void> {
  const service = services.clustersService;
  const connection = service.connection;
  const clients = connection.status === 'signedIn' ? connection.inventory.clients : undefined;
  if (!clients) throw new Error('Sign in to Azure first (Azure PyTorch: Sign In to Azure).');
  const all = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing Azure subscriptions…' }, () =>
    azureLayer().listSubscriptions(clients, []),
  );
  if (all.length === 0) {
    void vscode.window.showInformationMessage(
      'Azure PyTorch: the signed-in account sees no subscription in this tenant. Select another tenant?',
    );
    return;
  }
  const selected = new Set(service.settings().subscriptions.map((id) => id.toLowerCase()));
  const items = all.map((sub) => ({
    label: sub.displayName,
    description: sub.subscriptionId,
    picked: selected.size === 0 || selected.has(sub.subscriptionId.toLowerCase()),
    id: sub.subscriptionId,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: 'Azure PyTorch: Select Subscriptions',
    placeHolder: 'The subscriptions whose VMs the Clusters view shows',
    ignoreFocusOut: true,
  });
  if (!picked) return;
  if (picked.length === 0) {
    void vscode.window.showWarningMessage('Azure PyTorch: choose at least one subscription; the selection was not changed.');
    return;
  }
  // All of them is stored as "no filter", so that subscriptions added later show too.
  const value = picked.length === all.length ? [] : picked.map((item) => item.id);
  await vscode.workspace.getConfiguration('azurePytorch').update('subscriptions', value, vscode.ConfigurationTarget.Global);
}
