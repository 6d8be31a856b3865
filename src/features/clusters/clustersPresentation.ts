/**
 * How a VM reads in the Clusters view: description, tooltip, icon, context value. Pure: no VS Code
 * here, so that it is tested directly; the tree items turn these into VS Code objects.
 */
import { gpuModelLabel } from '../../azure/gpuCatalog';
import type { PowerAction } from '../../azure/powerActions';
import { displayState, type DisplayState } from '../../azure/powerState';
import type { AzureVm, VmGpus } from '../../azure/virtualMachine';
import type { GpuTelemetry } from '../../logs/nvidiaSmi';
import { gpuLoadSummary, gpuLoadTooltipRows } from './gpuLoad';

/** An operation running on a VM, shown in place of its state. */
export type PendingOperation = PowerAction;

const PENDING_LABELS: Record<PendingOperation, string> = {
  start: 'Starting…',
  deallocate: 'Deallocating…',
  powerOff: 'Powering off…',
  restart: 'Restarting…',
};

const STATE_LABELS: Record<DisplayState, string> = {
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped (still billing)',
  deallocating: 'deallocating',
  deallocated: 'deallocated',
  unknown: 'state unknown',
  failed: 'failed',
  'running-failed': 'running · provisioning failed',
  creating: 'creating…',
};

export function pendingLabel(operation: PendingOperation): string {
  return PENDING_LABELS[operation];
}

export function stateLabel(vm: AzureVm): string {
  return STATE_LABELS[displayState(vm.status)];
}

/** "2×", or "1/6" for a partitioned GPU. */
export function formatGpuCount(count: number): string {
  if (Number.isInteger(count)) return `${count}×`;
  const denominator = Math.round(1 / count);
  return `1/${denominator}`;
}

/** "2× A100 80GB", "1/6 A10 24GB", or "4× GPU" for a GPU size the catalog does not know. */
export function formatGpus(gpus: VmGpus): string {
  return `${formatGpuCount(gpus.count)} ${gpus.model ? gpuModelLabel(gpus.model) : 'GPU'}`;
}

/** A live GPU reading counts only while the VM runs and no operation is changing its state. */
function shownLoad(vm: AzureVm, pending: PendingOperation | undefined, load: GpuTelemetry | undefined): GpuTelemetry | undefined {
  return load && !pending && vm.status.powerState === 'running' ? load : undefined;
}

/**
 * Live GPU figures first: the sidebar cuts a description short, and "… · eastus · running · GPU 87%"
 * would hide them behind what does not change. A failed reading stays last (its reason is in the tooltip).
 */
function withLoad(parts: readonly string[], live: GpuTelemetry | undefined): string[] {
  if (!live) return [...parts];
  return live.kind === 'ok' ? [gpuLoadSummary(live), ...parts] : [...parts, gpuLoadSummary(live)];
}

/**
 * The description beside the VM's name: "2× A100 80GB · eastus · running", or while a job runs on
 * it "GPU 87% · 41/80 GB · 2× A100 80GB · eastus" (a live load implies "running").
 */
export function vmDescription(vm: AzureVm, pending?: PendingOperation, load?: GpuTelemetry): string {
  const hardware = vm.gpus ? formatGpus(vm.gpus) : vm.size;
  const state = pending ? pendingLabel(pending) : stateLabel(vm);
  const live = shownLoad(vm, pending, load);
  if (live?.kind === 'ok') return withLoad([hardware, vm.location], live).join(' · ');
  return withLoad([hardware, vm.location, state], live).join(' · ');
}

/** The description beside a listed subscription: "3 VMs", or "3 VMs · 1 warning" when part of it could not be read. */
export function subscriptionDescription(visibleVms: number, warnings: readonly string[]): string {
  const vms = `${visibleVms} VM${visibleVms === 1 ? '' : 's'}`;
  return warnings.length === 0 ? vms : `${vms} · ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
}

/**
 * The description beside an SSH host: what nvidia-smi found (`gpus`, may be empty) and where the host
 * comes from, with the live load of a job running there placed as on VM nodes.
 */
export function sshHostDescription(gpus: string, source: string, load?: GpuTelemetry): string {
  return withLoad(
    [gpus, source].filter((part) => part !== ''),
    load,
  ).join(' · ');
}

/** An address the role may not read. */
const UNREAD = 'unknown (your Azure role may not read it; you are asked for it when connecting)';

/** The tooltip's rows, label and value, in display order; rows without a value are left out. */
export function vmTooltipRows(vm: AzureVm, pending?: PendingOperation, load?: GpuTelemetry): Array<[string, string]> {
  const rows: Array<[string, string | undefined]> = [
    ['State', pending ? pendingLabel(pending) : stateLabel(vm)],
    ['Size', vm.gpus?.series ? `${vm.size} (${vm.gpus.series})` : vm.size],
    ['vCPUs', vm.vCPUs?.toString()],
    ['Memory', vm.memoryGB !== undefined ? `${vm.memoryGB} GB` : undefined],
    ['GPUs', vm.gpus ? gpuTooltip(vm.gpus) : 'none'],
    ['Resource group', vm.resourceGroup],
    ['Location', vm.zone ? `${vm.location} (zone ${vm.zone})` : vm.location],
    [
      'Public IP',
      vm.publicIp ?? (vm.unreadAddresses ? UNREAD : vm.status.powerState === 'deallocated' ? 'none while deallocated' : 'none'),
    ],
    ['Public IPv6', vm.publicIpv6 !== vm.publicIp ? vm.publicIpv6 : undefined],
    ['Private IP', vm.privateIp ?? (vm.unreadAddresses === 'all' ? UNREAD : undefined)],
    ['OS user', vm.osUser],
    ['Provisioning error', vm.status.provisioningError],
  ];
  const live = shownLoad(vm, pending, load);
  return [...rows.filter((row): row is [string, string] => row[1] !== undefined), ...(live ? gpuLoadTooltipRows(live) : [])];
}

function gpuTooltip(gpus: VmGpus): string {
  const count = Number.isInteger(gpus.count) ? `${gpus.count} ×` : `${formatGpuCount(gpus.count)} of`;
  const model = gpus.model ? `${gpus.model.vendor} ${gpuModelLabel(gpus.model)}` : 'GPU (model unknown)';
  return `${count} ${model}`;
}

export interface VmIcon {
  /** A codicon id. */
  readonly id: string;
  /** A theme colour id, or undefined for the default foreground. */
  readonly color?: string;
}

const ICONS: Record<DisplayState, VmIcon> = {
  running: { id: 'vm-running', color: 'testing.iconPassed' },
  starting: { id: 'loading~spin', color: 'charts.yellow' },
  stopping: { id: 'loading~spin', color: 'charts.yellow' },
  deallocating: { id: 'loading~spin', color: 'charts.yellow' },
  deallocated: { id: 'vm-outline', color: 'disabledForeground' },
  stopped: { id: 'vm', color: 'list.warningForeground' },
  failed: { id: 'error', color: 'list.errorForeground' },
  // It runs (and bills): the running icon, in the colour of a warning.
  'running-failed': { id: 'vm-running', color: 'list.warningForeground' },
  unknown: { id: 'vm', color: 'disabledForeground' },
  creating: { id: 'loading~spin', color: 'charts.yellow' },
};

export function vmIcon(vm: AzureVm, pending?: PendingOperation): VmIcon {
  if (pending) return { id: 'loading~spin', color: 'charts.yellow' };
  return ICONS[displayState(vm.status)];
}

/**
 * `vm:<powerState>`, which the menus in package.json match; a failed provisioning adds `:failed`
 * so that Start stays offered on a VM whose last start failed. While an operation runs the VM
 * offers no power action.
 */
export function vmContextValue(vm: AzureVm, pending?: PendingOperation): string {
  if (pending) return 'vm:busy';
  return `vm:${vm.status.powerState}${vm.status.provisioningError !== undefined ? ':failed' : ''}`;
}
