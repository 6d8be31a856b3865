import * as vscode from 'vscode';
import { UserCancelledError } from '../../common/errors';
import { findDistributedUse, localImportCandidates, type DistributedUse } from '../../jobs/distributedScript';
import { chooseProcessesPerNode, type ProcessesChoice } from '../../jobs/processesPerNode';
import { targetGpus, type TrainingTarget } from './jobTargets';

async function readText(folder: vscode.WorkspaceFolder, file: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, file)));
  } catch {
    return undefined;
  }
}

/** What shows that the script is written for torch.distributed: its own text, else the local files it imports. */
export async function detectDistributedUse(folder: vscode.WorkspaceFolder, script: string): Promise<DistributedUse | undefined> {
  const text = await readText(folder, script);
  if (text === undefined) return undefined;
  const imported = new Map<string, string>();
  for (const file of localImportCandidates(script, text)) {
    const content = await readText(folder, file);
    if (content !== undefined) imported.set(file, content);
  }
  return findDistributedUse(script, text, imported);
}

/** Every node runs the same number of processes: the smallest GPU count among the known ones. */
export function jobGpus(targets: readonly TrainingTarget[]): number | undefined {
  const known = targets.map(targetGpus).filter((n): n is number => n !== undefined);
  return known.length ? Math.min(...known) : undefined;
}

/** The processes per node a launch gets without asking: `configured`, else one per GPU for a distributed-aware script, else one. */
export async function detectProcesses(
  folder: vscode.WorkspaceFolder,
  script: string,
  targets: readonly TrainingTarget[],
  configured?: number,
): Promise<ProcessesChoice> {
  const distributed = configured === undefined ? await detectDistributedUse(folder, script) : undefined;
  return chooseProcessesPerNode({ script, distributed, gpus: jobGpus(targets), configured });
}

function perNode(count: number): string {
  return `${count === 1 ? '1 process' : `${count} processes`} per node`;
}

/** Asks how many processes to run per node, the current choice checked; throws UserCancelledError when dismissed. */
export async function pickProcessesPerNode(current: ProcessesChoice, gpus: number): Promise<ProcessesChoice> {
  const items = [...new Set([current.perNode, 1, gpus])].map((count) => ({
    label: `${count === current.perNode ? '$(check) ' : ''}${perNode(count)}`,
    description: count === gpus ? 'one per GPU' : count === 1 ? 'one copy of the script' : undefined,
    detail: count === current.perNode ? current.reason : undefined,
    count,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Train on Azure: processes per node' });
  if (!picked) throw new UserCancelledError();
  return picked.count === current.perNode ? current : { perNode: picked.count, reason: `${perNode(picked.count)}, as chosen at launch` };
}
