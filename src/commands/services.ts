import type * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import type { ClustersTreeProvider } from '../views/clustersTreeProvider';
import type { JobsTreeProvider } from '../views/jobsTreeProvider';

/** What commands work with: built once in activate(). */
export interface CommandServices {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly clusters: ClustersTreeProvider;
  readonly jobs: JobsTreeProvider;
}

export type CommandHandler = (services: CommandServices, ...args: unknown[]) => unknown;
export type CommandHandlers = Record<string, CommandHandler>;
