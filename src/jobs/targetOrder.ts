import type { PowerState } from '../azure/powerState';
import { machineKey, type MachineRef } from '../common/machine';
import type { JobRecord } from './jobStore';
import { isActive } from './jobState';

/**
 * The order the machine pick offers machines in, so that Enter starts what a user expects: the
 * machine last used here, then running VMs, then SSH hosts, and last, under a separator that says
 * so, the VMs that must be started first (starting one bills it). Never a machine that must be
 * started as the default. A single-machine pick can end with "Create GPU VM…", which Enter takes
 * when there is no machine at all.
 */

/** A machine as the pick offers it. */
export interface OfferedMachine {
  readonly machine: MachineRef;
  /** Azure VMs only: the power state. */
  readonly powerState?: PowerState;
  /** Whether there is an address to reach it by (a VM without a usable IP has none). */
  readonly reachable: boolean;
}

export const mustStartSeparator = 'Deallocated — starting one bills it';
export const sshHostsSeparator = 'SSH hosts';

export type TargetPickEntry<T> =
  | { readonly kind: 'separator'; readonly label: string }
  | { readonly kind: 'machine'; readonly item: T; readonly lastUsed: boolean; readonly busy: boolean }
  | { readonly kind: 'create' };

export interface TargetOrder<T> {
  readonly entries: ReadonlyArray<TargetPickEntry<T>>;
  /** The entry Enter takes; undefined when every machine must be started first. */
  readonly defaultItem?: T;
  /** Whether Enter takes "Create GPU VM…": it is offered and there is no machine to pick. */
  readonly createByDefault: boolean;
}

export interface TargetOrderContext {
  /** The machine of the last job of this script (or else of this workspace folder). */
  readonly lastUsed?: MachineRef;
  /** Keys (machineKey) of the machines a job of the extension runs on now: their GPUs are taken. */
  readonly busy: ReadonlySet<string>;
  /** Whether the pick ends with "Create GPU VM…" (a pick of one machine; not a multi-node one). */
  readonly offerCreate?: boolean;
}

export function mustStart(machine: OfferedMachine): boolean {
  return machine.powerState !== undefined && machine.powerState !== 'running';
}

export function orderTargets<T extends OfferedMachine>(machines: readonly T[], context: TargetOrderContext): TargetOrder<T> {
  const lastKey = context.lastUsed && machineKey(context.lastUsed);
  const isBusy = (m: T): boolean => context.busy.has(machineKey(m.machine));
  const isLast = (m: T): boolean => machineKey(m.machine) === lastKey;
  // The last machine goes on top only when Enter on it trains at once, on free GPUs.
  const onTop = machines.filter((m) => isLast(m) && !mustStart(m) && m.reachable && !isBusy(m));
  const rest = machines.filter((m) => !onTop.includes(m));
  // Stable: within a rank, the listing's order.
  const byReadiness = (list: T[]): T[] =>
    list
      .map((m, index) => ({ m, index, rank: (m.reachable ? 0 : 2) + (isBusy(m) ? 1 : 0) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map(({ m }) => m);
  const running = byReadiness(rest.filter((m) => m.powerState === 'running'));
  const sshHosts = byReadiness(rest.filter((m) => m.powerState === undefined));
  const stopped = rest.filter(mustStart);

  const entry = (item: T): TargetPickEntry<T> => ({ kind: 'machine', item, lastUsed: isLast(item), busy: isBusy(item) });
  const entries: Array<TargetPickEntry<T>> = [...onTop, ...running].map(entry);
  if (sshHosts.length) entries.push({ kind: 'separator', label: sshHostsSeparator }, ...sshHosts.map(entry));
  if (stopped.length) entries.push({ kind: 'separator', label: mustStartSeparator }, ...stopped.map(entry));
  if (context.offerCreate) entries.push({ kind: 'separator', label: '' }, { kind: 'create' });
  const defaultItem = [...onTop, ...running, ...sshHosts].find((m) => m.reachable);
  return { entries, defaultItem, createByDefault: !!context.offerCreate && machines.length === 0 };
}

/** The first node of the newest job of `script` in `folder` (a URI string), else of any job in the folder. */
export function lastUsedMachine(records: readonly JobRecord[], folder?: string, script?: string): MachineRef | undefined {
  const newestFirst = [...records].sort((a, b) => Date.parse(b.spec.createdAt) - Date.parse(a.spec.createdAt));
  const inFolder = newestFirst.filter((r) => folder !== undefined && r.spec.workspaceFolder === folder);
  const ofScript = inFolder.find((r) => script !== undefined && r.spec.script === script);
  return (ofScript ?? inFolder[0])?.spec.nodes[0]?.target;
}

/** Keys of the machines the extension's active jobs run on. */
export function busyMachines(records: readonly JobRecord[]): Set<string> {
  return new Set(records.filter((r) => isActive(r.state)).flatMap((r) => r.spec.nodes.map((n) => machineKey(n.target))));
}
