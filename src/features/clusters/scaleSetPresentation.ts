/**
 * How a VM scale set and its instances read in the Clusters view: description, tooltip, icon,
 * context value, and what the confirmations say. Pure: no VS Code here, so that it is tested directly.
 */
import type { PowerState } from '../../azure/powerState';
import type { ScaleSetOperation } from '../../azure/scaleSetInventory';
import { instanceStateCounts, type AzureScaleSet } from '../../azure/scaleSet';
import type { AzureVm } from '../../azure/virtualMachine';
import { formatGpus, type VmIcon } from './clustersPresentation';

const PENDING_LABELS: Record<ScaleSetOperation, string> = {
  start: 'Starting…',
  deallocate: 'Deallocating…',
  scale: 'Scaling…',
};

export function scaleSetPendingLabel(operation: ScaleSetOperation): string {
  return PENDING_LABELS[operation];
}

/** "2 running, 1 deallocated", or "no instances". */
export function instanceStatesSummary(set: AzureScaleSet): string {
  const counts = instanceStateCounts(set.instances);
  if (counts.length === 0) return 'no instances';
  return counts.map(({ state, count }) => `${count} ${state === 'stopped' ? 'stopped (still billing)' : state}`).join(', ');
}

/** "4 × 8× A100 80GB · 4 running": instances × GPUs per instance, and the instances' states. */
export function scaleSetDescription(set: AzureScaleSet, pending?: ScaleSetOperation): string {
  const perInstance = set.gpus ? formatGpus(set.gpus) : set.size;
  const states = pending ? scaleSetPendingLabel(pending) : set.instancesProblem ? 'instances unreadable' : instanceStatesSummary(set);
  return `${set.instances.length} × ${perInstance} · ${states}`;
}

export function scaleSetTooltipRows(set: AzureScaleSet, pending?: ScaleSetOperation): Array<[string, string]> {
  const rows: Array<[string, string | undefined]> = [
    ['Instances', pending ? scaleSetPendingLabel(pending) : instanceStatesSummary(set)],
    ['Capacity', set.capacity !== set.instances.length ? `${set.capacity} (Azure is adding or removing instances)` : undefined],
    ['Size', set.gpus?.series ? `${set.size} (${set.gpus.series})` : set.size],
    ['GPUs per instance', set.gpus ? formatGpus(set.gpus) : 'none'],
    ['vCPUs per instance', set.vCPUs?.toString()],
    ['Orchestration', set.orchestration],
    ['Resource group', set.resourceGroup],
    ['Location', set.location],
    ['Instances unreadable', set.instancesProblem],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined);
}

/**
 * `scaleSet` with `:start` when some instance is not running and `:deallocate` when some is not
 * deallocated, which the menus in package.json match; `scaleSet:busy` while an operation runs
 * (Scale to N… stays offered on every other).
 */
export function scaleSetContextValue(set: AzureScaleSet, pending?: ScaleSetOperation): string {
  if (pending) return 'scaleSet:busy';
  const states = set.instances.map((instance) => instance.vm.status.powerState);
  const flags = [
    states.some((state) => state !== 'running') ? 'start' : undefined,
    states.some((state) => state !== 'deallocated') ? 'deallocate' : undefined,
  ].filter((flag) => flag !== undefined);
  return ['scaleSet', ...flags].join(':');
}

export function scaleSetIcon(set: AzureScaleSet, pending?: ScaleSetOperation): VmIcon {
  if (pending) return { id: 'loading~spin', color: 'charts.yellow' };
  if (set.instancesProblem) return { id: 'warning', color: 'list.warningForeground' };
  const running = set.instances.some((instance) => instance.vm.status.powerState === 'running');
  return running ? { id: 'layers-active', color: 'testing.iconPassed' } : { id: 'layers', color: 'disabledForeground' };
}

/** `scaleSetInstance:<powerState>` for a Uniform instance (its power actions go through its set); `:busy` while one runs. */
export function scaleSetInstanceContextValue(vm: AzureVm, pending?: ScaleSetOperation): string {
  return pending ? 'scaleSetInstance:busy' : `scaleSetInstance:${vm.status.powerState}`;
}

/** Whether a Start or a Deallocate has anything to do on an instance in this state. */
export function instanceNeeds(action: 'start' | 'deallocate', state: PowerState): boolean {
  return action === 'start' ? state !== 'running' && state !== 'starting' : state !== 'deallocated' && state !== 'deallocating';
}

/** The modal confirmation of Scale to N…: what Azure will do, and what it costs. */
export function scaleConfirmation(set: AzureScaleSet, capacity: number): { question: string; detail: string; button: string } {
  const from = set.capacity;
  const perInstance = set.gpus ? `${formatGpus(set.gpus)} each` : 'no GPUs';
  const instances = (n: number): string => `${n} instance${n === 1 ? '' : 's'}`;
  if (capacity > from) {
    const added = capacity - from;
    return {
      question: `Scale ${set.name} out from ${from} to ${instances(capacity)}?`,
      detail:
        `Azure creates ${instances(added)} of ${set.size} (${perInstance}) and starts them. ` +
        `Each is billed like a VM of that size for as long as it runs: ${added} more of them from now on, ` +
        'until they are deallocated or the set is scaled in.',
      button: `Scale to ${capacity}`,
    };
  }
  const removed = from - capacity;
  return {
    question: `Scale ${set.name} in from ${from} to ${instances(capacity)}?`,
    detail:
      `Azure deletes ${instances(removed)} (its scale-in policy picks which; by default the highest instance ids), ` +
      'with their OS disks: jobs on them end and whatever they hold is lost. The instances left keep running and billing.',
    button: `Scale to ${capacity}`,
  };
}
