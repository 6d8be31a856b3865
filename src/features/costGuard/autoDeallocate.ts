import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import { stringField } from '../../common/fields';
import type { ArmClients } from '../../azure/armClients';
import type { AzureVm } from '../../azure/virtualMachine';
import { enableSelfDeallocation, PermissionMissing, readSelfDeallocation } from '../../azure/vmSelfDeallocation';
import { sameMachine, vmMachine } from '../../common/machine';
import { errorMessage, UserCancelledError } from '../../common/errors';
import { describePolicy, type CostGuardPolicy } from '../../costGuard/policy';
import { installWatchdog, removeWatchdog } from '../../costGuard/watchdogHost';
import { watchdogConfig } from '../../costGuard/watchdogConfig';
import type { CommandServices } from '../services';
import { settings } from '../settings';
import { checkIntervalSeconds, idleMinutesProblem, type PolicyChoice, policyOf, PRESET_IDLE_MINUTES } from './policyChoice';
import type { CostGuardView } from './costGuardView';
import { watchdogEndpoints } from './watchdogEndpoints';

/** The permission assigning a role needs (Owner, User Access Administrator, Role Based Access Control Administrator). */
const ASSIGN_ROLES = 'Microsoft.Authorization/roleAssignments/write';

/** Auto-Deallocate When Idle…: chooses a policy for a running VM and installs the watchdog on it (or turns it off). */
export async function autoDeallocateVm(services: CommandServices, costGuard: CostGuardView, arg: unknown): Promise<void> {
  const vm = await runningVmOf(services, arg);
  const current = costGuard.policies.of(vm.id)?.policy;
  const choice = await choosePolicy(services, vm, current);
  if (choice.kind === 'off') {
    await withProgress(`Turning off auto-deallocate on ${vm.name}`, async (signal) => {
      await removeWatchdog(await services.connector.connect(vmMachine(vm), signal), signal);
    });
    await costGuard.policies.set(vm.id, undefined);
    costGuard.redraw();
    void vscode.window.showInformationMessage(`Auto-deallocate is off on ${vm.name}.`);
    return;
  }
  const policy = policyOf(choice);
  const clients = signedInClients(services);
  const protectedByAzure = await ensureSelfDeallocation(clients, vm);
  const target = services.connector.resolveSshTarget(vmMachine(vm));
  const endpoints = watchdogEndpoints(
    { instanceMetadata: settings.costGuardInstanceMetadataEndpoint(), resourceManager: settings.costGuardResourceManagerEndpoint() },
    { resourceManager: clients.environment.endpoints.resourceManager, scope: clients.environment.endpoints.scope, caPem: caPem() },
    target.host,
  );
  const config = watchdogConfig({ vmResourceId: vm.id, policy, endpoints, checkIntervalSeconds: checkIntervalSeconds(policy) });
  const scheduler = await withProgress(`Turning on auto-deallocate on ${vm.name}`, async (signal) =>
    installWatchdog(await services.connector.connect(vmMachine(vm), signal), config, signal),
  );
  await costGuard.policies.set(vm.id, { policy, selfDeallocates: protectedByAzure });
  costGuard.redraw();
  services.log.info(`${vm.name}: watchdog installed (${scheduler}), ${describePolicy(policy)}`);
  const how = protectedByAzure
    ? 'The VM deallocates itself, with VS Code closed too.'
    : 'Without a role on the VM its watchdog cannot deallocate it: VS Code deallocates it when the watchdog finds it idle, only while VS Code runs.';
  void vscode.window.showInformationMessage(`${vm.name}: ${describePolicy(policy)}. ${how}`);
}

async function runningVmOf(services: CommandServices, arg: unknown): Promise<AzureVm> {
  const id = stringField(arg, 'kind') === 'vm' ? stringField(arg, 'vmId') : undefined;
  if (id) {
    const vm = services.clustersService.findVm(id);
    if (!vm) throw new Error('The VM is no longer listed: refresh the Clusters view.');
    if (vm.status.powerState !== 'running') throw new Error(`${vm.name} is not running: auto-deallocate is turned on for a running VM.`);
    return vm;
  }
  const running = services.clustersService.visibleVms().filter((vm) => vm.status.powerState === 'running');
  if (running.length === 0) throw new Error('No listed VM is running: auto-deallocate is turned on for a running VM.');
  const picked = await vscode.window.showQuickPick(
    running.map((vm) => ({ label: vm.name, description: `${vm.size} · ${vm.location}`, vm })),
    { title: 'Auto-Deallocate When Idle', placeHolder: 'The VM to deallocate when idle' },
  );
  if (!picked) throw new UserCancelledError();
  return picked.vm;
}

async function choosePolicy(services: CommandServices, vm: AzureVm, current: CostGuardPolicy | undefined): Promise<PolicyChoice> {
  type Item = vscode.QuickPickItem & { choice?: PolicyChoice; custom?: true; job?: true };
  const items: Item[] = [
    ...PRESET_IDLE_MINUTES.map((minutes) => ({
      label: `After ${minutes >= 60 ? `${minutes / 60} h` : `${minutes} min`} idle`,
      choice: { kind: 'idle', minutes } as const,
    })),
    { label: 'After a custom idle time…', custom: true },
    { label: 'When a job ends…', job: true },
    ...(current ? [{ label: 'Off', description: `now: ${describePolicy(current)}`, choice: { kind: 'off' } as const }] : []),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Auto-Deallocate ${vm.name} When Idle`,
    placeHolder: 'Idle: no job of the extension running, no terminal session open, GPUs below 10%',
  });
  if (!picked) throw new UserCancelledError();
  if (picked.choice) return picked.choice;
  if (picked.custom) {
    const minimum = settings.costGuardMinimumIdleMinutes();
    const text = await vscode.window.showInputBox({
      title: `Auto-Deallocate ${vm.name} When Idle`,
      prompt: 'Deallocate after this many idle minutes',
      value: '45',
      validateInput: (value) => idleMinutesProblem(value, minimum),
    });
    if (text === undefined) throw new UserCancelledError();
    return { kind: 'idle', minutes: Number(text.trim()) };
  }
  const jobs = services.jobsService.store.active().filter((job) => job.spec.nodes.some((node) => sameMachine(node.target, vmMachine(vm))));
  if (jobs.length === 0) throw new Error(`No job of the extension runs on ${vm.name}: choose an idle time instead.`);
  const job = await vscode.window.showQuickPick(
    jobs.map((record) => ({ label: record.spec.script, description: record.spec.id, id: record.spec.id })),
    { title: `Deallocate ${vm.name} When This Job Ends` },
  );
  if (!job) throw new UserCancelledError();
  return { kind: 'jobEnds', jobId: job.id };
}

/**
 * Whether the VM may deallocate itself; if not, offers to give it what it needs. Resolves to false
 * when the user keeps it without (VS Code then deallocates it while it runs).
 */
async function ensureSelfDeallocation(clients: ArmClients, vm: AzureVm): Promise<boolean> {
  const found = await readSelfDeallocation(clients, vm.id);
  if (found.mayDeallocate) return true;
  const what = found.principalId ? 'its managed identity has no role on it' : 'it has no managed identity';
  const enable = 'Enable';
  const without = 'Continue Without';
  const answer = await vscode.window.showWarningMessage(
    `${vm.name} cannot deallocate itself: ${what}.`,
    {
      modal: true,
      detail:
        'Enable turns on the VM\'s system-assigned managed identity and assigns it "Virtual Machine Contributor" on this VM alone, ' +
        `so that its watchdog can deallocate it with VS Code closed. It needs ${ASSIGN_ROLES} (Owner or User Access Administrator). ` +
        'Without it, VS Code deallocates the VM when idle only while VS Code runs.',
    },
    enable,
    without,
  );
  if (answer === undefined) throw new UserCancelledError();
  if (answer === without) return false;
  try {
    await withProgress(`Giving ${vm.name} a managed identity and a role on itself`, (signal) =>
      enableSelfDeallocation(clients, vm.id, signal),
    );
    return true;
  } catch (error) {
    if (!(error instanceof PermissionMissing)) throw error;
    const keep = 'Continue Without';
    const chosen = await vscode.window.showWarningMessage(
      `You may not give ${vm.name} a role: your Azure role lacks ${error.permission}. ` +
        'Ask an Owner of the subscription to assign the VM\'s identity "Virtual Machine Contributor" on the VM. ' +
        'Until then VS Code deallocates the VM when idle only while VS Code runs.',
      { modal: true },
      keep,
    );
    if (chosen !== keep) throw new UserCancelledError();
    return false;
  }
}

function signedInClients(services: CommandServices): ArmClients {
  const connection = services.clustersService.connection;
  const clients = connection.status === 'signedIn' ? connection.inventory.clients : undefined;
  if (!clients) throw new Error('Sign in to Azure first (Azure PyTorch: Sign In to Azure).');
  return clients;
}

/** The CA certificate the extension trusts for Resource Manager, for the watchdog to trust too. */
function caPem(): string | undefined {
  const file = settings.caCertificate();
  if (!file) return undefined;
  try {
    return fs.readFileSync(file.replace(/^~(?=\/|$)/, os.homedir()), 'utf8');
  } catch (error) {
    throw new Error(`azurePytorch.caCertificate: cannot read ${file} for the VM's watchdog (${errorMessage(error)}).`, { cause: error });
  }
}

function withProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort(new UserCancelledError()));
      return work(controller.signal);
    }),
  );
}
