/**
 * What the cost guard shows: a VM's price per hour and time running beside its name, the status bar
 * item while GPU VMs run, and its tooltip. Pure, so that it is tested without VS Code.
 */

export interface VmCost {
  readonly name: string;
  /** $/hour at the VM's priority (spot or on-demand); undefined when the price is unknown. */
  readonly hourly?: number;
  readonly spot: boolean;
  /** When the VM started, where Azure says so. */
  readonly runningSince?: Date;
  /** "training", "idle since 14:02", or undefined when not known. */
  readonly activity?: string;
  /** The auto-deallocate policy in words, when one is installed. */
  readonly policy?: string;
}

/** "$ 3.40/h", "$ 0.052/h" (three significant places under a dollar). */
export function formatHourly(dollars: number): string {
  return `$ ${dollars < 1 ? dollars.toPrecision(2).replace(/^0\./, '0.') : dollars.toFixed(2)}/h`;
}

/** "$ 12.34" */
export function formatDollars(dollars: number): string {
  return `$ ${dollars.toFixed(2)}`;
}

/** "45 min", "3 h 05 min", "2 d 4 h" */
export function formatRunning(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The spend since `since` at an hourly price. */
export function spendSince(hourly: number, since: Date, now: Date): number {
  return (hourly * Math.max(0, now.getTime() - since.getTime())) / 3_600_000;
}

/** The parts the VM node's description gets: "$ 3.40/h spot", "running 2 h 05 min", the policy. */
export function vmCostParts(cost: VmCost, now: Date): string[] {
  const parts: string[] = [];
  if (cost.hourly !== undefined) parts.push(`${formatHourly(cost.hourly)}${cost.spot ? ' spot' : ''}`);
  if (cost.runningSince) parts.push(`up ${formatRunning(now.getTime() - cost.runningSince.getTime())}`);
  if (cost.policy) parts.push(cost.policy);
  return parts;
}

/** The tooltip rows the VM node gets. */
export function vmCostTooltipRows(cost: VmCost, now: Date): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (cost.hourly !== undefined) rows.push(['Price', `${formatHourly(cost.hourly)} (${cost.spot ? 'spot' : 'on-demand'}, Linux retail)`]);
  if (cost.runningSince) {
    const spent = cost.hourly !== undefined ? `, ${formatDollars(spendSince(cost.hourly, cost.runningSince, now))} so far` : '';
    rows.push(['Running for', `${formatRunning(now.getTime() - cost.runningSince.getTime())}${spent}`]);
  }
  rows.push(['Auto-deallocate', cost.policy ?? 'off (Auto-Deallocate When Idle… turns it on)']);
  return rows;
}

/** "$ 21.40/h · 3 GPU VMs"; a VM without a known price counts, and the sum says "+". Undefined when none runs. */
export function statusBarText(running: readonly VmCost[]): string | undefined {
  if (running.length === 0) return undefined;
  const known = running.filter((vm) => vm.hourly !== undefined);
  const total = known.reduce((sum, vm) => sum + (vm.hourly ?? 0), 0);
  const vms = `${running.length} GPU VM${running.length === 1 ? '' : 's'}`;
  if (known.length === 0) return vms;
  return `${formatHourly(total)}${known.length < running.length ? '+' : ''} · ${vms}`;
}

/** One line per running VM: "gpu-a100-1 — $ 3.40/h · training · $ 6.80 since 12:00". */
export function statusBarTooltipLines(running: readonly VmCost[], now: Date): string[] {
  return running.map((vm) => {
    const parts = [vm.hourly !== undefined ? `${formatHourly(vm.hourly)}${vm.spot ? ' spot' : ''}` : 'price unknown'];
    if (vm.activity) parts.push(vm.activity);
    if (vm.runningSince && vm.hourly !== undefined) {
      parts.push(`${formatDollars(spendSince(vm.hourly, vm.runningSince, now))} since ${clock(vm.runningSince)}`);
    }
    if (vm.policy) parts.push(vm.policy);
    return `${vm.name} — ${parts.join(' · ')}`;
  });
}

function clock(time: Date): string {
  return `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}`;
}
