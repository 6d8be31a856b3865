import * as vscode from 'vscode';
import { UserCancelledError } from '../../../common/errors';
import { azureLayer } from '../../azureLayer';
import { ActionableError } from '../../messages';
import type { CommandServices } from '../../services';
import { settings, updateSetting } from '../../settings';

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
    throw new ActionableError('The signed-in account sees no subscription in this tenant: select another tenant.', [
      { title: 'Select Tenant…', run: () => vscode.commands.executeCommand('azurePytorch.selectTenant') },
    ]);
  }
  const selected = new Set(settings.subscriptions().map((id) => id.toLowerCase()));
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
  if (!picked) throw new UserCancelledError();
  if (picked.length === 0) throw new Error('Choose at least one subscription; the selection was not changed.');
  // All of them is stored as "no filter", so that subscriptions added later show too.
  const value = picked.length === all.length ? [] : picked.map((item) => item.id);
  await updateSetting('subscriptions', value);
}
