import * as vscode from 'vscode';
import { UserCancelledError } from '../../../common/errors';
import { field, stringField } from '../../../common/fields';
import { ArgumentLineError, splitArguments } from '../../../jobs/argumentLine';
import { LaunchConfigError, launchConfigFile, parseLaunchConfigurations, type LaunchConfiguration } from '../../../jobs/launchConfig';
import { shellQuote } from '../../../ssh/shellQuote';
import type { ProcessesChoice } from '../../../jobs/processesPerNode';
import { busyMachines, lastUsedMachine } from '../../../jobs/targetOrder';
import {
  pickTargets,
  resolveConfiguredTargets,
  sshHostTrainingTarget,
  vmTrainingTarget,
  type TargetPickContext,
  type TrainingTarget,
} from '../jobTargets';
import { confirmLaunchConfiguration } from '../launchConfirmationPrompt';
import { launchWithProgress } from '../launchFlow';
import { detectProcesses, jobGpus, pickProcessesPerNode } from '../scriptProcesses';
import { ActionableError } from '../../messages';
import type { CommandServices } from '../../services';

/**
 * Train on Azure: from the explorer or editor (the file), the editor title, or the palette (the
 * active file, or asks). With `{ configuration: name }` (a keybinding's args, say) it launches that
 * saved configuration of the first workspace folder without a question. Resolves to the new job's id.
 */
export async function trainOnAzure(services: CommandServices, arg?: unknown, options?: unknown): Promise<string> {
  const named = configurationNamed(arg) ?? configurationNamed(options);
  if (named) return launchNamedConfiguration(services, named, arg instanceof vscode.Uri ? arg : undefined);
  const script = await scriptFromArgument(arg);
  const located = await locateScript(script);
  const configuration = await chooseConfiguration(located);
  if (configuration) return launchConfiguration(services, located.folder, configuration);
  const targets = await pickTargets(services.clustersService, undefined, pickContext(services, located));
  const processes = await detectProcesses(located.folder, located.script, targets);
  const answer = await askArguments(services, located, { processes, gpus: jobGpus(targets) });
  return (await launchWithProgress(services, { ...located, targets, ...answer })).id;
}

/** A saved configuration: its machines (or the user's pick), confirmed when it sends the folder elsewhere or runs setup commands. */
async function launchConfiguration(
  services: CommandServices,
  folder: vscode.WorkspaceFolder,
  configuration: LaunchConfiguration,
): Promise<string> {
  const script = configuration.script;
  const configured = configuration.targets.slice(0, configuration.nodes ?? configuration.targets.length);
  const targets = configured.length
    ? resolveConfiguredTargets(configured, services.clustersService)
    : await pickTargets(services.clustersService, configuration.nodes, pickContext(services, { folder, script }));
  await confirmLaunchConfiguration(services.context.workspaceState, folder, configuration, configured.length ? targets : []);
  return (await launchWithProgress(services, { folder, script, args: configuration.args, targets, configuration })).id;
}

/** What the machine pick orders by: the machine last used for this script or folder, and those running jobs now. */
function pickContext(services: CommandServices, located?: Partial<LocatedScript>): TargetPickContext {
  const records = services.jobsService.store.all();
  return { lastUsed: lastUsedMachine(records, located?.folder?.uri.toString(), located?.script), busy: busyMachines(records) };
}

function configurationNamed(arg: unknown): string | undefined {
  const name = field(arg, 'configuration');
  return typeof name === 'string' && !(arg instanceof vscode.Uri) ? name : undefined;
}

async function launchNamedConfiguration(services: CommandServices, name: string, resource: vscode.Uri | undefined): Promise<string> {
  const folder = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('Open the folder that holds .vscode/azure-pytorch.json first.');
  const configurations = await readConfigurations(folder);
  const configuration = configurations.find((c) => c.name === name);
  if (!configuration) throw new Error(`There is no launch configuration named "${name}" in ${launchConfigFile} of ${folder.name}.`);
  await assertScriptExists(folder, configuration.script);
  return launchConfiguration(services, folder, configuration);
}

/** Train a Script Here… on a VM (or SSH host) node of the Clusters view. */
export async function trainHere(services: CommandServices, arg?: unknown): Promise<string> {
  const vmId = stringField(arg, 'kind') === 'vm' ? stringField(arg, 'vmId') : undefined;
  const host = stringField(arg, 'host');
  let target: TrainingTarget;
  if (vmId) {
    const vm = await services.clustersService.findVmWhenListed(vmId);
    if (!vm) throw new Error('That VM is no longer listed; refresh the Clusters view.');
    target = vmTrainingTarget(vm);
  } else if (host !== undefined) {
    target = sshHostTrainingTarget(host);
  } else {
    [target] = await pickTargets(services.clustersService, 1, pickContext(services));
  }
  const script = await scriptFromArgument(undefined, `Train which script on ${target.machine.label}?`, false);
  const located = await locateScript(script);
  const processes = await detectProcesses(located.folder, located.script, [target]);
  const answer = await askArguments(services, located, { processes, gpus: jobGpus([target]) });
  return (await launchWithProgress(services, { ...located, targets: [target], ...answer })).id;
}

/** Run Again: the job's launch as it was (script, arguments, machines, settings), as a new job. */
export async function runAgain(services: CommandServices, arg?: unknown): Promise<string> {
  const record = services.jobsService.recordFrom(arg);
  if (!record) throw new Error('That job is no longer in the Jobs view.');
  const { spec } = record;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(spec.workspaceFolder));
  if (!folder)
    throw new Error(
      `The workspace folder of this job (${vscode.Uri.parse(spec.workspaceFolder).fsPath}) is not open: open it to run the job again.`,
    );
  await assertScriptExists(folder, spec.script);
  const targets = spec.nodes.map((node) => {
    if (node.target.kind === 'ssh') return sshHostTrainingTarget(node.target.id);
    const vm = services.clustersService.findVm(node.target.id);
    if (!vm)
      throw new Error(`The VM ${node.target.label} is not listed: sign in to Azure (or refresh the Clusters view) to run this job again.`);
    return vmTrainingTarget(vm);
  });
  const configuration: LaunchConfiguration = {
    name: spec.configurationName ?? spec.script,
    script: spec.script,
    args: spec.args,
    env: spec.env,
    targets: [],
    nprocPerNode: spec.nprocPerNode,
    python: spec.python,
    requirements: spec.requirements,
    setup: spec.setup,
    syncExclude: spec.syncExclude,
    outputs: spec.outputs,
  };
  const processes = { perNode: spec.nprocPerNode, reason: spec.nprocReason ?? `${spec.nprocPerNode} per node, as in the job it repeats` };
  return (await launchWithProgress(services, { folder, script: spec.script, args: spec.args, targets, configuration, processes })).id;
}

interface LocatedScript {
  readonly folder: vscode.WorkspaceFolder;
  /** Relative to the folder, `/`-separated. */
  readonly script: string;
}

/**
 * The script to train: the file the command was invoked on, else (when `useActiveEditor`) the
 * active editor's Python file, else the user's pick among the workspace's scripts, active one first.
 */
async function scriptFromArgument(arg: unknown, placeHolder = 'Train which script?', useActiveEditor = true): Promise<vscode.Uri> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (useActiveEditor && active && active.path.endsWith('.py')) return active;
  const files = await vscode.workspace.findFiles(
    '**/*.py',
    '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**,**/__pycache__/**}',
    500,
  );
  if (files.length === 0) {
    throw new Error('There is no Python script in this workspace to train. Open the folder that holds your training script.');
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri, true), uri }))
    .sort((a, b) =>
      a.uri.toString() === active?.toString() ? -1 : b.uri.toString() === active?.toString() ? 1 : a.label.localeCompare(b.label),
    );
  const picked = await vscode.window.showQuickPick(items, { title: 'Train on Azure', placeHolder, matchOnDescription: true });
  if (!picked) throw new UserCancelledError();
  return picked.uri;
}

async function locateScript(uri: vscode.Uri): Promise<LocatedScript> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder)
    throw new Error(
      `${uri.fsPath} is not inside an open workspace folder: open the folder that holds it, so that it can be synced to the VM.`,
    );
  // URI paths use `/` on every platform: the script's path on the VM is the same.
  const script = uri.path.slice(folder.uri.path.replace(/\/$/, '').length + 1);
  await assertScriptExists(folder, script);
  return { folder, script };
}

async function assertScriptExists(folder: vscode.WorkspaceFolder, script: string): Promise<void> {
  try {
    const stat = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, script));
    if (stat.type & vscode.FileType.Directory) throw new Error('directory');
  } catch {
    throw new Error(`The script ${script} does not exist in ${folder.name}: save it first, or choose another.`);
  }
}

/**
 * The saved launch configuration to use for the script: undefined to choose machines and arguments
 * now. A bad configuration file stops here, with the field named and the file one click away;
 * nothing is launched. Throws UserCancelledError when the choice is dismissed.
 */
async function chooseConfiguration({ folder, script }: LocatedScript): Promise<LaunchConfiguration | undefined> {
  const configurations = await readConfigurations(folder);
  const matching = configurations.filter((c) => c.script === script);
  if (matching.length === 0) return undefined;
  const items: Array<vscode.QuickPickItem & { configuration?: LaunchConfiguration }> = [
    ...matching.map((configuration) => ({
      label: `$(rocket) ${configuration.name}`,
      description: [configuration.targets.length ? configuration.targets.join(', ') : 'choose machines', configuration.args.join(' ')]
        .filter(Boolean)
        .join(' · '),
      configuration,
    })),
    { label: '$(list-selection) Choose machines and arguments…' },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Train on Azure',
    placeHolder: `Launch configuration for ${script} (${launchConfigFile})`,
  });
  if (!picked) throw new UserCancelledError();
  return picked.configuration;
}

/**
 * The folder's saved launch configurations; [] without the file. A bad file throws, naming the
 * field, with the file one click away.
 */
async function readConfigurations(folder: vscode.WorkspaceFolder): Promise<LaunchConfiguration[]> {
  const uri = vscode.Uri.joinPath(folder.uri, launchConfigFile);
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return [];
  }
  try {
    return parseLaunchConfigurations(text);
  } catch (error) {
    if (!(error instanceof LaunchConfigError)) throw error;
    throw new ActionableError(error.message, [{ title: 'Open File', run: () => vscode.window.showTextDocument(uri) }], { cause: error });
  }
}

const lastArgumentsKey = 'azurePytorch.lastArguments';

interface ArgumentsAnswer {
  readonly args: string[];
  readonly processes: ProcessesChoice;
}

/**
 * Asks for the script's arguments, offering the last ones used for it. The prompt says how many
 * processes each node runs and why; on a machine with several GPUs its button changes that.
 * Throws UserCancelledError when dismissed.
 */
async function askArguments(
  services: CommandServices,
  { folder, script }: LocatedScript,
  options: { processes: ProcessesChoice; gpus?: number },
): Promise<ArgumentsAnswer> {
  const remembered = services.context.workspaceState.get<Record<string, string[]>>(lastArgumentsKey, {});
  const key = `${folder.uri.toString()}|${script}`;
  let value = (remembered[key] ?? []).map(shellQuote).join(' ');
  let processes = options.processes;
  const gpus = options.gpus ?? 1;
  for (;;) {
    const answer = await argumentsBox(script, value, processes, gpus > 1);
    value = answer.value;
    if (answer.kind === 'processes') {
      processes = await pickProcessesPerNode(processes, gpus);
      continue;
    }
    const args = splitArguments(value);
    await services.context.workspaceState.update(lastArgumentsKey, { ...remembered, [key]: args });
    return { args, processes };
  }
}

function argumentsError(value: string): string | undefined {
  try {
    splitArguments(value);
    return undefined;
  } catch (error) {
    return error instanceof ArgumentLineError ? error.message : String(error);
  }
}

/** The arguments prompt: resolves to its value when submitted, or when its processes button is pressed. */
function argumentsBox(
  script: string,
  value: string,
  processes: ProcessesChoice,
  changeable: boolean,
): Promise<{ kind: 'submit' | 'processes'; value: string }> {
  const box = vscode.window.createInputBox();
  box.title = `Train on Azure: arguments for ${script}`;
  const reason = processes.reason.charAt(0).toUpperCase() + processes.reason.slice(1);
  box.prompt = `Arguments passed to the script, as in a shell: quote those with spaces; empty for none. ${reason}.`;
  box.placeholder = 'e.g. --epochs 10 --lr 0.01';
  box.value = value;
  box.validationMessage = argumentsError(value);
  const processesButton: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('server-process'),
    tooltip: `Processes per node: ${processes.perNode} (change)`,
  };
  box.buttons = changeable ? [processesButton] : [];
  return new Promise<{ kind: 'submit' | 'processes'; value: string }>((resolve, reject) => {
    box.onDidChangeValue((text) => (box.validationMessage = argumentsError(text)));
    box.onDidAccept(() => {
      if (!argumentsError(box.value)) resolve({ kind: 'submit', value: box.value });
    });
    box.onDidTriggerButton(() => resolve({ kind: 'processes', value: box.value }));
    box.onDidHide(() => reject(new UserCancelledError()));
    box.show();
  }).finally(() => box.dispose());
}

export const trainCommands = {
  'azurePytorch.trainOnAzure': trainOnAzure,
  'azurePytorch.trainHere': trainHere,
  'azurePytorch.runAgain': runAgain,
};
