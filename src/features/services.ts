import type * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import type { ClustersService } from './clusters/clustersService';
import type { ClustersTreeProvider } from './clusters/clustersTreeProvider';
import type { JobsConnector, WorkspaceSyncer } from './connections/machineConnector';
import type { JobsService } from './jobs/jobsService';
import type { JobsTreeProvider } from './jobs/jobsTreeProvider';

/** What commands work with: built once in activate(). */
export interface CommandServices {
  readonly context: vscode.ExtensionContext;
  readonly log: Logger;
  readonly clusters: ClustersTreeProvider;
  /** Azure sign-in and the VM inventory behind the Clusters view. */
  readonly clustersService: ClustersService;
  readonly jobs: JobsTreeProvider;
  /** The job store, its monitor and the connections jobs run over. */
  readonly jobsService: JobsService;
  /** How job targets are reached over SSH (the Azure VM or SSH host behind a target). */
  readonly jobsConnector: JobsConnector;
  /** Workspace sync over the pooled connections, its state shared with the jobs feature. */
  readonly workspaceSync: WorkspaceSyncer;
}

export type CommandHandler = (services: CommandServices, ...args: unknown[]) => unknown;
export type CommandHandlers = Record<string, CommandHandler>;
