import * as vscode from 'vscode';
import type { activate } from '../../src/extension';
import { jsonArray, jsonAt, jsonString } from '../json';

export const extensionId = 'azure-pytorch.azure-pytorch';

/** What activate() hands to other extensions (and to these tests). */
export type ExtensionApi = ReturnType<typeof activate>;

/** The extension under test; fails the test when VS Code did not load it. */
export function getExtensionUnderTest(): vscode.Extension<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(extensionId);
  if (!extension) {
    throw new Error(`extension ${extensionId} is not loaded`);
  }
  return extension;
}

/** Command ids from the loaded manifest's `contributes.commands`. */
export function contributedCommandIds(extension: vscode.Extension<unknown>): string[] {
  const commands = jsonAt(extension.packageJSON, 'contributes', 'commands');
  return commands === undefined ? [] : jsonArray(commands).map((entry) => jsonString(entry, 'command'));
}
