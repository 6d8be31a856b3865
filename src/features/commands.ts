import * as vscode from 'vscode';
import { errorMessage } from '../common/errors';
import { clustersCommands } from './clusters/clustersCommands';
import { jobCommands } from './jobs/commands/jobCommands';
import { refresh } from './clusters/commands/refresh';
import { trainCommands } from './jobs/commands/trainOnAzure';
import type { CommandHandlers, CommandServices } from './services';
import { syncWorkspace } from './jobs/commands/syncWorkspace';

// Each feature adds its own table of handlers here.
const handlers: CommandHandlers = {
  'azurePytorch.refresh': refresh,
  'azurePytorch.syncWorkspace': syncWorkspace,
  ...clustersCommands,
  ...trainCommands,
  ...jobCommands,
};

interface ContributedCommand {
  command: string;
  title: string;
}

/**
 * Registers every command that package.json contributes, each with its handler; a contributed
 * command without one is a build error that stops activation (and the integration tests).
 */
export function registerCommands(services: CommandServices): void {
  const contributed: ContributedCommand[] = services.context.extension.packageJSON.contributes.commands;
  const missing = contributed.filter(({ command }) => !handlers[command]).map(({ command }) => command);
  if (missing.length > 0) throw new Error(`No handler for the contributed commands ${missing.join(', ')}`);
  for (const { command, title } of contributed) {
    const handler = handlers[command];
    services.context.subscriptions.push(
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
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
