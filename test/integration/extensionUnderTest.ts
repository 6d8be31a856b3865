import * as vscode from 'vscode';

export const extensionId = 'azure-pytorch.azure-pytorch';

interface ContributedCommand {
  readonly command: string;
}

/** The extension under test; fails the test when VS Code did not load it. */
export function getExtensionUnderTest(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(extensionId);
  if (!extension) {
    throw new Error(`extension ${extensionId} is not loaded`);
  }
  return extension;
}

/** Command ids from the loaded manifest's `contributes.commands`. */
export function contributedCommandIds(extension: vscode.Extension<unknown>): string[] {
  const manifest = extension.packageJSON as { contributes?: { commands?: ContributedCommand[] } };
  return (manifest.contributes?.commands ?? []).map((entry) => entry.command);
}
