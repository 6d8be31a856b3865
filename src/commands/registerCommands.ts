import * as vscode from 'vscode';
import { errorMessage } from '../common/errors';
import { refresh } from './refresh';
import type { CommandHandlers, CommandServices } from './services';

// Each feature adds its own table of handlers here.
const handlers: CommandHandlers = {
  'azurePytorch.refresh': refresh,
};

interface ContributedCommand {
  command: string;
  title: string;
}

/**
 * Registers every command that package.json contributes. A contributed command without a handler
 * tells the user it is not available in this build, instead of failing with "command not found".
 */
export function registerCommands(services: CommandServices): void {
  const contributed: ContributedCommand[] = services.context.extension.packageJSON.contributes.commands;
  for (const { command, title } of contributed) {
    const handler = handlers[command];
    services.context.subscriptions.push(
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
        if (!handler) {
          void vscode.window.showInformationMessage(`Azure PyTorch: "${title}" is not available in this version yet.`);
          return;
        }
        try {
          return await handler(services, ...args);
        } catch (error) {
          services.log.error(`${command} failed`, error);
          void vscode.window.showErrorMessage(`Azure PyTorch: ${title} failed: ${errorMessage(error)}`);
        }
      }),
    );
  }
}
