import * as vscode from 'vscode';
import { errorMessage, isUserCancelled } from '../common/errors';
import { arrayField, field, stringField } from '../common/fields';
import type { Logger } from '../common/logger';
import { capacityCommands } from './capacity/capacityCommands';
import { clustersCommands } from './clusters/clustersCommands';
import { costGuardCommands } from './costGuard/costGuardCommands';
import { jobCommands } from './jobs/commands/jobCommands';
import { refresh } from './clusters/commands/refresh';
import { trainCommands } from './jobs/commands/trainOnAzure';
import type { CommandHandlers, CommandServices } from './services';
import { syncWorkspace } from './jobs/commands/syncWorkspace';
import { ActionableError, showError } from './messages';

// Each feature adds its own table of handlers here.
const handlers: CommandHandlers = {
  'azurePytorch.refresh': refresh,
  'azurePytorch.syncWorkspace': syncWorkspace,
  ...clustersCommands,
  ...capacityCommands,
  ...trainCommands,
  ...jobCommands,
  ...costGuardCommands,
};

interface ContributedCommand {
  readonly command: string;
  readonly title: string;
}

/**
 * Registers every command that package.json contributes, each with its handler; a contributed
 * command without one is a build error that stops activation (and the integration tests).
 */
export function registerCommands(services: CommandServices): void {
  const contributed = contributedCommands(services.context.extension);
  const missing = contributed.filter(({ command }) => !handlers[command]).map(({ command }) => command);
  if (missing.length > 0) throw new Error(`No handler for the contributed commands ${missing.join(', ')}`);
  for (const { command, title } of contributed) {
    const handler = handlers[command];
    services.context.subscriptions.push(
      vscode.commands.registerCommand(command, (...args: unknown[]) => run(services.log, command, title, () => handler(services, ...args))),
    );
  }
}

/**
 * The one place a command's failure reaches the user: a user's cancel shows nothing; any other
 * error shows once, as "<title> failed: <message>", with the error's actions (if any) as buttons.
 * Resolves to what the command returned, or undefined when it failed.
 */
async function run(log: Logger, command: string, title: string, work: () => unknown): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    if (isUserCancelled(error)) {
      log.trace(`${command}: ${errorMessage(error)}`);
      return undefined;
    }
    log.error(`${command} failed`, error);
    const actions = error instanceof ActionableError ? error.actions : [];
    const failed = `${title.replace(/…$/, '')} failed: ${errorMessage(error)}`;
    void showError(failed, ...actions.map((action) => action.title)).then((chosen) => {
      const action = actions.find((a) => a.title === chosen);
      if (action) void run(log, command, title, () => action.run());
    });
    return undefined;
  }
}

/** The commands of the extension's package.json: id and title. */
function contributedCommands(extension: vscode.Extension<unknown>): ContributedCommand[] {
  const manifest: unknown = extension.packageJSON;
  const commands = arrayField(field(manifest, 'contributes'), 'commands');
  if (!commands) throw new Error('package.json contributes no commands');
  return commands.map((entry) => {
    const command = stringField(entry, 'command');
    const title = stringField(entry, 'title');
    if (!command || !title) throw new Error('A contributed command lacks its id or title');
    return { command, title };
  });
}
