import type { AzureVm } from '../../azure/virtualMachine';
import type { PowerAction } from '../../azure/powerActions';
import { Disposable } from '../../common/disposable';
import type { Logger } from '../../common/logger';
import { vmMachine, type MachineRef } from '../../common/machine';
import { readWatchdogStatus, type WatchdogHost } from '../../costGuard/watchdogHost';
import type { CostGuardPolicies } from './costGuardState';
import { watchdogWantsDeallocation } from './fallbackDeallocation';

export interface FallbackDependencies {
  readonly vms: { visibleVms(): AzureVm[]; runAction(vm: AzureVm, action: PowerAction): Promise<AzureVm> };
  readonly policies: CostGuardPolicies;
  /** A background connection (no dialogs). */
  readonly connect: (machine: MachineRef) => Promise<WatchdogHost>;
  readonly log: Logger;
  readonly intervalMs?: number;
}

/**
 * While VS Code runs, deallocates the running VMs whose watchdog found them idle but may not
 * deallocate them itself (no role on the VM): the fallback where the user may not assign roles.
 */
export class FallbackDeallocator extends Disposable {
  private running = false;

  constructor(private readonly deps: FallbackDependencies) {
    super();
    const timer = setInterval(() => void this.check(), deps.intervalMs ?? 60_000);
    timer.unref?.();
    this.register({ dispose: () => clearInterval(timer) });
  }

  /** One round: every running VM that may not deallocate itself, its watchdog's verdict read and acted on. */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const vms = this.deps.vms
        .visibleVms()
        .filter((vm) => vm.status.powerState === 'running' && this.deps.policies.of(vm.id)?.selfDeallocates === false);
      await Promise.all(vms.map((vm) => this.checkVm(vm)));
    } finally {
      this.running = false;
    }
  }

  private async checkVm(vm: AzureVm): Promise<void> {
    try {
      const status = await readWatchdogStatus(await this.deps.connect(vmMachine(vm)));
      if (!watchdogWantsDeallocation(status, new Date())) return;
      this.deps.log.info(`${vm.name}: its watchdog found it idle (${status?.message ?? ''}); deallocating it from VS Code`);
      await this.deps.vms.runAction(vm, 'deallocate');
    } catch (error) {
      this.deps.log.warn(`${vm.name}: the auto-deallocate check from VS Code failed`, error);
    }
  }
}
