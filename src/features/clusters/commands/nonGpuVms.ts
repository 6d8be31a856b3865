import * as vscode from 'vscode';
import type { CommandServices } from '../../services';

async function setShowNonGpuVms(value: boolean): Promise<void> {
  await vscode.workspace.getConfiguration('azurePytorch').update('showNonGpuVms', value, vscode.ConfigurationTarget.Global);
}

export function showNonGpuVms(_services: CommandServices): Promise<void> {
  return setShowNonGpuVms(true);
}

export function hideNonGpuVms(_services: CommandServices): Promise<void> {
  return setShowNonGpuVms(false);
}
