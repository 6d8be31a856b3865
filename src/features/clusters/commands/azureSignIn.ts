import * as vscode from 'vscode';
import { showInformation } from '../../messages';
import type { CommandServices } from '../../services';
import { settings } from '../../settings';

/**
 * Sign In to Azure: VS Code's Microsoft sign-in (or the configured credential), then the tenant if
 * there are several. Closing VS Code's sign-in dialog is the user's cancel.
 */
export async function signIn(services: CommandServices): Promise<void> {
  await services.clustersService.signIn();
}

export async function signOut(services: CommandServices): Promise<void> {
  await services.clustersService.signOut();
  if (settings.credential() === 'vscode') {
    void showInformation('signed out of Azure. To sign your account out of VS Code itself, use the Accounts menu.');
  }
}

export async function selectTenant(services: CommandServices): Promise<void> {
  if (services.clustersService.connection.status !== 'signedIn') {
    await signIn(services);
    return;
  }
  const tenant = await services.clustersService.selectTenant();
  void vscode.window.setStatusBarMessage(`$(azure) Azure PyTorch: tenant ${tenant.displayName}`, 5000);
}
