import * as vscode from 'vscode';
import type { Logger } from '../../common/logger';
import { MachineStoppedError, type JobHost } from '../../jobs/jobHost';
import type { JobSpec, TargetRef } from '../../jobs/jobSpec';
import { downloadFolder, sshJobHost } from '../../jobs/sshJobHost';
import { azureVmTarget, describeTarget, parseSshDestination, type SshConnectionPool, type SshTarget } from '../../ssh';
import {
  describeExclusion,
  FileSyncStateStore,
  remoteWorkspaceDir,
  syncWorkspace,
  workspaceId,
  WorkspaceTracker,
  type SyncProgress,
} from '../../sync';
import type { ClustersService } from '../clusters/clustersService';
import type { JobConnector } from '../jobs/jobsService';
import { openRemoteTerminal } from './sshTerminal';

/** What the sync feature offers the jobs feature. */
export interface WorkspaceSyncer {
  /** The folder name of a local workspace folder's copy under ~/.azure-pytorch/ws/. */
  workspaceId(folder: vscode.Uri): string;
  /** Brings the copy on the target up to date with the local folder. */
  sync(
    target: SshTarget,
    folder: vscode.Uri,
    extraExcludes: readonly string[],
    signal: AbortSignal,
    onProgress?: (progress: SyncProgress) => void,
  ): Promise<void>;
  dispose(): void;
}

/** The sync layer over the pool, with the sync settings and its state kept in `stateFolder`. */
export function poolWorkspaceSyncer(pool: () => SshConnectionPool, stateFolder: string, log: Logger): WorkspaceSyncer {
  const state = new FileSyncStateStore(stateFolder);
  // Per workspace folder, for the extension's lifetime: a re-sync re-reads only what changed.
  const trackers = new Map<string, WorkspaceTracker>();
  const trackerOf = (folder: string): WorkspaceTracker => {
    let tracker = trackers.get(folder);
    if (!tracker) trackers.set(folder, (tracker = new WorkspaceTracker(folder)));
    return tracker;
  };
  return {
    workspaceId: (folder) => workspaceId(folder.fsPath),
    async sync(target, folder, extraExcludes, signal, onProgress) {
      const settings = vscode.workspace.getConfiguration('azurePytorch');
      const connection = await pool().connection(target);
      const result = await syncWorkspace(connection, {
        localRoot: folder.fsPath,
        remoteDir: remoteWorkspaceDir(folder.fsPath),
        maxFileSizeBytes: settings.get<number>('sync.maxFileSizeMB', 50) * 1024 * 1024,
        excludes: [...settings.get<string[]>('sync.exclude', []), ...extraExcludes],
        state,
        tracker: trackerOf(folder.fsPath),
        targetKey: describeTarget(target),
        signal,
        log,
        onProgress,
      });
      log.info(
        `Synced ${folder.fsPath} to ${target.label ?? target.host}:~/${result.remoteDir}: ${result.uploadedFiles} files sent, ${result.unchanged} unchanged, ${result.removed.length} removed (${result.durationMs} ms; ${result.localScan === 'changes' ? 'local changes from the file watcher' : 'whole workspace scanned'}, ${result.remoteCheck === 'listing' ? 'remote folder listed' : 'remote changes checked since the last sync'})`,
      );
      for (const excluded of result.excluded) log.info(`  not synced: ${describeExclusion(excluded)}`);
    },
    dispose() {
      for (const tracker of trackers.values()) tracker.dispose();
      trackers.clear();
    },
  };
}

/**
 * Reaches a job's machines: Azure VMs by their public (or, per the setting, private) IP as their
 * admin user, SSH hosts as the user wrote them; all through the SSH layer's pool.
 */
export class JobsConnector implements JobConnector {
  constructor(
    private readonly pool: () => SshConnectionPool,
    private readonly clusters: ClustersService,
    private readonly syncer: WorkspaceSyncer,
  ) {}

  sshTarget(target: TargetRef): SshTarget {
    if (target.kind === 'ssh') return { ...parseSshDestination(target.id), label: target.label };
    const vm = this.clusters.findVm(target.id);
    if (!vm) {
      // A job re-attached at activation may need the inventory before anyone opened the view.
      this.clusters.ensureStarted();
      throw new Error(`The VM ${target.label} is not listed: sign in to Azure, or refresh the Clusters view.`);
    }
    if (['deallocated', 'stopped', 'deallocating', 'stopping'].includes(vm.status.powerState))
      throw new MachineStoppedError(`${vm.name} is ${vm.status.powerState}: start it first.`);
    if (vm.status.powerState !== 'running') throw new Error(`${vm.name} is ${vm.status.powerState}; try again once it runs.`);
    const usePrivateIp = vscode.workspace.getConfiguration('azurePytorch').get<boolean>('ssh.usePrivateIp', false);
    try {
      return azureVmTarget(
        { name: vm.name, adminUsername: vm.osUser ?? 'azureuser', publicIp: vm.publicIp, privateIp: vm.privateIp },
        usePrivateIp,
      );
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}. Or give it a public IP address in the Azure portal.`);
    }
  }

  async connect(target: TargetRef, signal?: AbortSignal): Promise<JobHost> {
    const ssh = this.sshTarget(target);
    signal?.throwIfAborted();
    await this.pool().connection(ssh);
    return sshJobHost(this.pool(), target, ssh);
  }

  sync(host: JobHost, spec: JobSpec, signal: AbortSignal, onProgress?: (progress: SyncProgress) => void): Promise<void> {
    return this.syncer.sync(this.sshTarget(host.target), vscode.Uri.parse(spec.workspaceFolder), spec.syncExclude, signal, onProgress);
  }

  workspaceId(folder: vscode.Uri): string {
    return this.syncer.workspaceId(folder);
  }

  download(host: JobHost, remotePath: string, local: vscode.Uri, signal?: AbortSignal): Promise<number> {
    return downloadFolder(this.pool(), this.sshTarget(host.target), remotePath, local.fsPath, signal);
  }

  async openTerminal(target: TargetRef, remotePath: string, name: string): Promise<void> {
    await openRemoteTerminal(this.pool(), this.sshTarget(target), remotePath, name);
  }
}
