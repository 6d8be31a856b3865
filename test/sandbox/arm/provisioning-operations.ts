/**
 * Long-running creates and deletes (VMs, resource groups): accepted at once, InProgress for the
 * stand-in's operation duration, then their completion runs and they report Succeeded or Failed.
 * Their ids start with `prov-` so that the status route can tell them from power operations.
 */
import * as crypto from 'crypto';

export interface ProvisioningOperation {
  readonly id: string;
  readonly subscriptionId: string;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  readonly startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

export const PROVISIONING_OPERATION_PREFIX = 'prov-';

export interface OperationError {
  code: string;
  message: string;
}

export class ProvisioningOperations {
  private readonly operations = new Map<string, ProvisioningOperation>();

  /** Runs `complete` after `durationMs`; what it returns (an error), or throws, makes the operation fail. */
  begin(
    subscriptionId: string,
    durationMs: number,
    complete: () => Promise<OperationError | undefined> | OperationError | undefined,
  ): ProvisioningOperation {
    const operation: ProvisioningOperation = {
      id: `${PROVISIONING_OPERATION_PREFIX}${crypto.randomUUID()}`,
      subscriptionId,
      status: 'InProgress',
      startTime: new Date().toISOString(),
    };
    this.operations.set(operation.id, operation);
    const timer = setTimeout(() => {
      void Promise.resolve()
        .then(complete)
        .catch((e: unknown): OperationError => ({ code: 'InternalExecutionError', message: `The sandbox failed: ${String(e)}` }))
        .then((error) => {
          operation.endTime = new Date().toISOString();
          operation.status = error ? 'Failed' : 'Succeeded';
          operation.error = error;
        });
    }, durationMs);
    timer.unref();
    return operation;
  }

  find(id: string): ProvisioningOperation | undefined {
    return this.operations.get(id);
  }
}
