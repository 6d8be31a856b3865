import * as vscode from 'vscode';
import { ActionableError } from '../messages';

/**
 * Syncing a folder runs its code on a machine, where its launch configurations say: only for a
 * trusted folder. package.json turns these commands off in Restricted Mode (their `enablement`);
 * this also stops a caller that goes around the menus, such as a keybinding or another extension.
 */
export function requireTrustedWorkspace(): void {
  if (vscode.workspace.isTrusted) return;
  throw new ActionableError('This folder is open in Restricted Mode: trust it to sync it to a machine or train there.', [
    { title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') },
  ]);
}
