/**
 * VM power operations as Resource Manager runs them: the POST is accepted at once (202) and the VM
 * shows a transitional power state (starting, stopping, deallocating); after `durationMs` the
 * power-change hook is awaited, the final state is set and the operation reports Succeeded. An
 * injected failure (e.g. AllocationFailed) makes it report Failed and restores the prior state.
 */
import * as crypto from 'crypto';
import { jsonMember, jsonNumber, jsonOneOf, jsonString } from '../../json';
import { ArmError } from './errors';
import { REFUSAL_MESSAGES } from './refusal-messages';
import type { PowerState, VirtualMachine } from './state';

export type VmAction = 'start' | 'powerOff' | 'deallocate' | 'restart';
export const VM_ACTIONS: readonly VmAction[] = ['start', 'powerOff', 'deallocate', 'restart'];

/** Called when a VM reaches a new power state, before its operation reports Succeeded. */
export type PowerChangeHook = (vm: VirtualMachine, state: PowerState) => Promise<void>;

export type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

export interface Operation {
  readonly id: string;
  readonly vm: VirtualMachine;
  readonly action: VmAction;
  status: OperationStatus;
  readonly startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

/** Makes matching operations fail; matches every VM / action when those are absent. */
export interface OperationFailure {
  vmName?: string;
  action?: VmAction;
  code: string;
  message?: string;
  /** How many operations fail; 1 when absent. */
  times?: number;
}

/** A failure as JSON gives it (the admin API's body), each member checked for its type. */
export function parseOperationFailure(json: unknown): OperationFailure {
  return {
    code: jsonString(json, 'code'),
    ...jsonMember(json, 'vmName', jsonString),
    ...jsonMember(json, 'action', (value, ...path) => jsonOneOf(VM_ACTIONS, value, ...path)),
    ...jsonMember(json, 'message', jsonString),
    ...jsonMember(json, 'times', jsonNumber),
  };
}

interface Transition {
  transitional?: PowerState;
  /** Final states in order; the hook sees each (a restart passes through stopped). */
  finals: PowerState[];
}

function transitionFor(vm: VirtualMachine, action: VmAction): Transition {
  const notAllowed = (why: string): ArmError =>
    new ArmError(409, 'OperationNotAllowed', `Operation '${action}' is not allowed on VM '${vm.name}' since ${why}.`);
  switch (action) {
    case 'start':
      return vm.powerState === 'running' ? { finals: [] } : { transitional: 'starting', finals: ['running'] };
    case 'powerOff':
      if (vm.powerState === 'deallocated') {
        throw notAllowed('the VM is deallocated');
      }
      return vm.powerState === 'stopped' ? { finals: [] } : { transitional: 'stopping', finals: ['stopped'] };
    case 'deallocate':
      return vm.powerState === 'deallocated' ? { finals: [] } : { transitional: 'deallocating', finals: ['deallocated'] };
    case 'restart':
      if (vm.powerState !== 'running') {
        throw notAllowed(`the VM is ${vm.powerState}`);
      }
      return { transitional: 'starting', finals: ['stopped', 'running'] };
  }
}

export class OperationManager {
  private readonly operations = new Map<string, Operation>();
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private failures: Array<OperationFailure & { remaining: number }> = [];
  private closed = false;

  constructor(
    /** How long an operation stays InProgress. */
    public durationMs: number,
    private readonly onPowerChange?: PowerChangeHook,
  ) {}

  failNext(failure: OperationFailure): void {
    this.failures.push({ ...failure, remaining: failure.times ?? 1 });
  }

  clearFailures(): void {
    this.failures = [];
  }

  find(id: string): Operation | undefined {
    return this.operations.get(id);
  }

  /** Accepts an action on a VM or throws a 409 ArmError. */
  begin(vm: VirtualMachine, action: VmAction): Operation {
    if (vm.pendingOperation) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Operation '${action}' is not allowed on VM '${vm.name}' since another operation ('${vm.pendingOperation}') is in progress.`,
      );
    }
    const transition = transitionFor(vm, action);
    const operation: Operation = { id: crypto.randomUUID(), vm, action, status: 'InProgress', startTime: new Date().toISOString() };
    this.operations.set(operation.id, operation);
    const failure = this.takeFailure(vm, action);
    const priorState = vm.powerState;
    vm.pendingOperation = action;
    vm.provisioning = { state: 'Updating' };
    if (transition.transitional) {
      vm.powerState = transition.transitional;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const work = this.complete(operation, transition, priorState, failure).finally(() => this.running.delete(work));
      this.running.add(work);
    }, this.durationMs);
    this.timers.add(timer);
    return operation;
  }

  /** Resolves once no operation is in flight. */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.running.size > 0) {
      await Promise.all([...this.running, new Promise((resolve) => setTimeout(resolve, 10))]);
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
  }

  private takeFailure(vm: VirtualMachine, action: VmAction): { code: string; message: string } | undefined {
    const found = this.failures.find(
      (f) =>
        (f.vmName === undefined || f.vmName.toLowerCase() === vm.name.toLowerCase()) && (f.action === undefined || f.action === action),
    );
    if (!found) {
      return undefined;
    }
    found.remaining--;
    if (found.remaining <= 0) {
      this.failures = this.failures.filter((f) => f !== found);
    }
    return {
      code: found.code,
      message: found.message ?? REFUSAL_MESSAGES[found.code] ?? `The operation failed with ${found.code}.`,
    };
  }

  private async complete(
    operation: Operation,
    transition: Transition,
    priorState: PowerState,
    failure: { code: string; message: string } | undefined,
  ): Promise<void> {
    const vm = operation.vm;
    let error = failure;
    if (!error) {
      try {
        for (const state of transition.finals) {
          await this.onPowerChange?.(vm, state);
          vm.powerState = state;
        }
      } catch (e) {
        error = { code: 'InternalExecutionError', message: `The power change hook failed: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    if (this.closed) {
      return;
    }
    vm.pendingOperation = undefined;
    operation.endTime = new Date().toISOString();
    if (error) {
      vm.powerState = priorState;
      vm.provisioning = { state: 'Failed', error };
      operation.error = error;
      operation.status = 'Failed';
    } else {
      vm.provisioning = { state: 'Succeeded' };
      operation.status = 'Succeeded';
    }
  }
}
