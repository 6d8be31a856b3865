import * as vscode from 'vscode';
import { VmAddressUnknownError } from '../../azure/vmAddress';
import type { Logger } from '../../common/logger';
import type { MachineRef } from '../../common/machine';
import { MachineStoppedError } from '../../jobs/jobHost';
import { workspaceDir } from '../../jobs/remoteLayout';
import { downloadFiles, downloadFolder, sshJobHost, type DownloadFilesOptions, type SshJobHost } from '../../jobs/sshJobHost';
import type { RemoteCommandRunner } from '../../logs/remoteCommandRunner';
import type { SshConnectionPool } from '../../ssh/connectionPool';
import { describeTarget, parseSshDestination, type SshTarget } from '../../ssh/sshTarget';
import { describeExclusion } from '../../sync/exclusionSummary';
import { FileSyncStateStore } from '../../sync/syncState';
import { workspaceId } from '../../sync/workspaceId';
import { syncWorkspace, type SyncProgress } from '../../sync/workspaceSync';
import { WorkspaceTracker } from '../../sync/workspaceTracker';
import type { ClustersService } from '../clusters/clustersService';
import { settings } from '../settings';
import { poolCommandRunner } from './poolCommandRunner';
import { openRemoteTerminal } from './sshTerminal';
import { VmAddresses } from './vmAddresses';

/** What the sync feature offers the jobs feature. */
export interface WorkspaceSyncer {
  /** The id of a local workspace folder, which names its copy on a VM (remoteLayout's workspaceDir). */
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
      const connection = await pool().connection(target);
      const result = await syncWorkspace(connection, {
        localRoot: folder.fsPath,
        remoteDir: workspaceDir(workspaceId(folder.fsPath)),
        maxFileSizeBytes: settings.syncMaxFileSizeMB() * 1024 * 1024,
        excludes: [...settings.syncExclude(), ...extraExcludes],
        state,
        tracker: trackerOf(folder.fsPath),
        targetKey: describeTarget(target),
        signal,
        log,
        onProgress,
      });
      const scanned = result.localScan === 'changes' ? 'local changes from the file watcher' : 'whole workspace scanned';
      const checked = result.remoteCheck === 'listing' ? 'remote folder listed' : 'remote changes checked since the last sync';
      log.info(
        `Synced ${folder.fsPath} to ${target.label ?? target.host}:~/${result.remoteDir}: ${result.uploadedFiles} files sent, ` +
          `${result.unchanged} unchanged, ${result.removed.length} removed (${result.durationMs} ms; ${scanned}, ${checked})`,
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
 * Reaches the machines jobs run on: Azure VMs by their public (or, per the setting, private) IP as
 * their admin user, SSH hosts as the user wrote them; all through the SSH layer's pool. A connected
 * host keeps the SshTarget its machine was resolved to, and syncs and downloads over it.
 */
export class MachineConnector {
  /**
   * `backgroundPool` is the same pool as seen by the readers nobody clicked for (the job monitor,
   * log followers, GPU telemetry): it never shows a host key dialog (sshPool's backgroundSshPool).
   */
  constructor(
    private readonly pool: () => SshConnectionPool,
    private readonly clusters: ClustersService,
    private readonly syncer: WorkspaceSyncer,
    private readonly backgroundPool: () => SshConnectionPool = pool,
  ) {}

  /** Azure's addresses of the VMs, and those the user gave where Azure would not tell. */
  readonly vmAddresses = new VmAddresses();

  /** How to reach a machine now; MachineStoppedError when its VM is stopped or deallocated. */
  resolveSshTarget(machine: MachineRef): SshTarget {
    if (machine.kind === 'ssh') return { ...parseSshDestination(machine.id), label: machine.label };
    const vm = this.clusters.findVm(machine.id);
    if (!vm) {
      // A job re-attached at activation may need the inventory before anyone opened the view.
      this.clusters.ensureStarted();
      throw new Error(`The VM ${machine.label} is not listed: sign in to Azure, or refresh the Clusters view.`);
    }
    if (['deallocated', 'stopped', 'deallocating', 'stopping'].includes(vm.status.powerState))
      throw new MachineStoppedError(`${vm.name} is ${vm.status.powerState}: start it first.`);
    if (vm.status.powerState !== 'running') throw new Error(`${vm.name} is ${vm.status.powerState}; try again once it runs.`);
    return { host: this.vmAddresses.known(vm), user: vm.osUser ?? 'azureuser', label: vm.name };
  }

  /** resolveSshTarget, asking the user for a VM's address that Azure would not tell (see VmAddresses). */
  async resolveSshTargetAsking(machine: MachineRef): Promise<SshTarget> {
    try {
      return this.resolveSshTarget(machine);
    } catch (error) {
      const vm = error instanceof VmAddressUnknownError ? this.clusters.findVm(machine.id) : undefined;
      if (!vm) throw error;
      await this.vmAddresses.resolve(vm);
      return this.resolveSshTarget(machine);
    }
  }

  /** A connected host for a machine: its SshTarget resolved once, the connection made. */
  async connect(machine: MachineRef, signal?: AbortSignal): Promise<SshJobHost> {
    await this.resolveSshTargetAsking(machine);
    return this.connectOver(this.pool(), machine, signal);
  }

  /** connect() for a reader nobody clicked for: a host key question fails it instead of asking. */
  async connectInBackground(machine: MachineRef, signal?: AbortSignal): Promise<SshJobHost> {
    return this.connectOver(this.backgroundPool(), machine, signal);
  }

  /** Commands streamed on a machine for a reader nobody clicked for (log followers, GPU telemetry). */
  backgroundRunner(machine: MachineRef): RemoteCommandRunner {
    return poolCommandRunner(this.backgroundPool(), this.resolveSshTarget(machine));
  }

  private async connectOver(pool: SshConnectionPool, machine: MachineRef, signal?: AbortSignal): Promise<SshJobHost> {
    const ssh = this.resolveSshTarget(machine);
    signal?.throwIfAborted();
    await pool.connection(ssh);
    return sshJobHost(pool, machine, ssh, (target, spec, syncSignal, onProgress) =>
      this.syncer.sync(target, vscode.Uri.parse(spec.workspaceFolder), spec.syncExclude, syncSignal, onProgress),
    );
  }

  /** The workspace id a local folder syncs to. */
  workspaceId(folder: vscode.Uri): string {
    return this.syncer.workspaceId(folder);
  }

  /** Copies a remote folder (relative to the remote home) into a local one; resolves to the number of files. */
  download(host: SshJobHost, remotePath: string, local: vscode.Uri, signal?: AbortSignal): Promise<number> {
    return downloadFolder(this.pool(), host.ssh, remotePath, local.fsPath, signal);
  }

  /** Copies files of a remote folder (paths relative to it) into a local one; resolves to the number of files. */
  downloadFiles(
    host: SshJobHost,
    remoteDir: string,
    paths: readonly string[],
    local: vscode.Uri,
    options?: DownloadFilesOptions,
  ): Promise<number> {
    return downloadFiles(this.pool(), host.ssh, remoteDir, paths, local.fsPath, options);
  }

  /** Opens a terminal on the machine in a remote folder (relative to the remote home). */
  async openTerminal(machine: MachineRef, remotePath: string, name: string): Promise<void> {
    await openRemoteTerminal(this.pool(), await this.resolveSshTargetAsking(machine), remotePath, name);
  }
}
