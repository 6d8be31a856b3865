import type * as vscode from 'vscode';
import type { Logger } from '../common/logger';
import type { ClustersService } from './clusters/clustersService';
import type { ClustersTreeProvider } from './clusters/clustersTreeProvider';
import type { MachineConnector, WorkspaceSyncer } from './connections/machineConnector';
import type { CostGuardView } from './costGuard/costGuardView';
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
  /** The job store and its monitor. */
  readonly jobsService: JobsService;
  /** Reaches the machines jobs run on (an Azure VM or an SSH host) over SSH. */
  readonly connector: MachineConnector;
  /** Workspace sync over the pooled connections, its state shared with the jobs feature. */
  readonly workspaceSync: WorkspaceSyncer;
  /** VM prices, the cost status bar and the auto-deallocate policies. */
  readonly costGuard: CostGuardView;
}

export type CommandHandler = (services: CommandServices, ...args: unknown[]) => unknown;
export type CommandHandlers = Record<string, CommandHandler>;
