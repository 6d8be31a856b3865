import * as vscode from 'vscode';
import { registerCommands } from './features/commands';
import { sameMachine, vmMachine, type MachineRef } from './common/machine';
import type { JobStore } from './jobs/jobStore';
import type { RemoteCommandRunner } from './logs/remoteCommandRunner';
import { backgroundHostKeyPrompt } from './features/connections/backgroundHostKeyPolicy';
import { ClusterGpuPoller } from './features/clusters/gpuPoller';
import { ClusterGpuTelemetry } from './features/clusters/gpuTelemetry';
import { ClustersService } from './features/clusters/clustersService';
import { SshHostGpuReader } from './features/clusters/sshHostReader';
import { ClustersTreeProvider } from './features/clusters/clustersTreeProvider';
import { CostGuardPolicies } from './features/costGuard/costGuardState';
import { CostGuardView } from './features/costGuard/costGuardView';
import { FallbackDeallocator } from './features/costGuard/fallbackDeallocator';
import { MachineConnector, poolWorkspaceSyncer } from './features/connections/machineConnector';
import { JobsService } from './features/jobs/jobsService';
import { backgroundSshPool, createSshPool } from './features/connections/sshPool';
import { JobsTreeProvider } from './features/jobs/jobsTreeProvider';
import { LogPanelManager } from './features/logPanel/logPanelManager';
import { settings } from './features/settings';

export function activate(context: vscode.ExtensionContext): { readonly jobs: JobStore } {
  const log = vscode.window.createOutputChannel('Azure PyTorch', { log: true });
  const clustersService = new ClustersService(context, log);
  const ssh = createSshPool(context, log);
  const gpuTelemetry = new ClusterGpuTelemetry();
  const sshHostGpus = new SshHostGpuReader({
    pool: () => ssh,
    backgroundPool: createSshPool(context, log, { hostKeyPrompt: backgroundHostKeyPrompt }),
    log,
  });
  // The jobs service comes later; until it does, no VM counts as training.
  let activeJobsOn: (vm: { readonly id: string; readonly name: string }) => number = () => 0;
  const costGuard = new CostGuardView(
    clustersService,
    new CostGuardPolicies(context.globalState),
    context.globalStorageUri.fsPath,
    log,
    (vm) => activeJobsOn(vm),
  );
  const clusters = new ClustersTreeProvider(clustersService, gpuTelemetry, sshHostGpus, costGuard);
  const workspaceSync = poolWorkspaceSyncer(() => ssh, vscode.Uri.joinPath(context.globalStorageUri, 'sync').fsPath, log);
  // Log followers, GPU telemetry and the job monitor never show a host key dialog: one notification.
  const backgroundSsh = backgroundSshPool(ssh, log);
  const connector = new MachineConnector(
    () => ssh,
    clustersService,
    workspaceSync,
    () => backgroundSsh,
  );
  // A machine that cannot be resolved (a VM not listed, stopped) rejects, as an async connect would.
  const connectRunner = (machine: MachineRef): Promise<RemoteCommandRunner> =>
    new Promise((resolve) => resolve(connector.backgroundRunner(machine)));
  const logPanels = new LogPanelManager({ context, log, connect: connectRunner });
  const jobsService = new JobsService(context, log, connector, {
    show: (job) => logPanels.show(job),
    forget: (jobId) => logPanels.deleteCache(jobId),
  });
  const jobs = new JobsTreeProvider(jobsService.store);
  activeJobsOn = (vm) =>
    jobsService.store.active().filter((job) => job.spec.nodes.some((node) => sameMachine(node.target, vmMachine(vm)))).length;
  context.subscriptions.push(jobsService.store.onDidChange(() => costGuard.redraw()));
  const gpuPoller = new ClusterGpuPoller({
    sink: gpuTelemetry,
    jobs: jobsService.store,
    connect: connectRunner,
    // The sidebar's summary needs no more than one reading every few seconds.
    intervalMs: () => Math.max(5, settings.gpuTelemetryIntervalSeconds()) * 1000,
  });
  const fallbackDeallocator = new FallbackDeallocator({
    vms: clustersService,
    policies: costGuard.policies,
    connect: (machine) => connector.connectInBackground(machine),
    log,
  });
  context.subscriptions.push(
    log,
    costGuard,
    fallbackDeallocator,
    { dispose: () => ssh.dispose() },
    workspaceSync,
    clustersService,
    gpuTelemetry,
    sshHostGpus,
    clusters,
    gpuPoller,
    logPanels.onGpuTelemetry(({ machine, reading }) => gpuTelemetry.record(machine, reading)),
    jobsService,
    logPanels,
    jobs,
    vscode.window.createTreeView('azurePytorch.clusters', { treeDataProvider: clusters, showCollapseAll: true }),
    vscode.window.createTreeView('azurePytorch.jobs', { treeDataProvider: jobs }),
  );
  void vscode.commands.executeCommand('setContext', 'azurePytorch.signedIn', false);
  registerCommands({ context, log, clusters, clustersService, jobs, jobsService, connector, workspaceSync, costGuard });
  // Re-attach to the jobs that were running when the window closed.
  jobsService.start();
  return { jobs: jobsService.store };
}

export function deactivate(): void {}
