import * as vscode from 'vscode';
import type { CommandServices } from '../../services';

/** Sign In to Azure: VS Code's Microsoft sign-in (or the configured credential), then the tenant if there are several. */
export async function signIn(services: CommandServices): Promise<void> {
  try {
    await services.clustersService.signIn();
  } catch (error) {
    // Closing VS Code's sign-in dialog is a choice, not a failure.
    if (/cancel|did not consent/i.test(String((error as Error)?.message))) return;
    throw error;
  }
}

export async function signOut(services: CommandServices): Promise<void> {
  await services.clustersService.signOut();
  if (services.clustersService.settings().credential === 'vscode') {
    void vscode.window.showInformationMessage(
      'Azure PyTorch no longer uses your Azure account. To sign the account out of VS Code itself, use the Accounts menu.',
    );
  }
}

export async function selectTenant(services: CommandServices): Promise<void> {
  if (services.clustersService.connection.status !== 'signedIn') {
    await signIn(services);
    return;
  }
  const tenant = await services.clustersService.selectTenant();
  if (tenant) void vscode.window.setStatusBarMessage(`$(azure) Azure PyTorch: tenant ${tenant.displayName}`, 5000);
}
