/**
 * The /_sandbox admin paths from another process: fault a running extension host's Azure calls,
 * revoke its tokens, fail its next VM start, read the cloud's state. Reads arm.json for its
 * connection facts when built with `fromStateDir`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { StandInSettings } from './admin';
import type { ActiveFault, FaultRule } from './faults';
import { httpsRequest } from './https-request';
import type { OperationFailure } from './operations';
import type { PowerState } from './state';

export class ArmAdminClient {
  constructor(
    readonly endpoint: string,
    private readonly caPem: string,
  ) {}

  static fromStateDir(stateDir: string): ArmAdminClient {
    const connection = JSON.parse(fs.readFileSync(path.join(stateDir, 'arm.json'), 'utf8')) as { endpoint: string; caFile: string };
    return new ArmAdminClient(connection.endpoint, fs.readFileSync(connection.caFile, 'utf8'));
  }

  addFault(rule: FaultRule): Promise<ActiveFault> {
    return this.call('POST', '/_sandbox/faults', rule);
  }

  listFaults(): Promise<ActiveFault[]> {
    return this.call('GET', '/_sandbox/faults');
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/_sandbox/faults');
  }

  async failNextOperation(failure: OperationFailure): Promise<void> {
    await this.call('POST', '/_sandbox/operation-failures', failure);
  }

  async revokeTokens(includeStatic = false): Promise<number> {
    return (await this.call<{ revoked: number }>('POST', '/_sandbox/tokens/revoke', { includeStatic })).revoked;
  }

  async expireTokens(): Promise<number> {
    return (await this.call<{ expired: number }>('POST', '/_sandbox/tokens/expire')).expired;
  }

  updateSettings(changes: Partial<StandInSettings>): Promise<StandInSettings> {
    return this.call('POST', '/_sandbox/settings', changes);
  }

  async setPowerState(vmName: string, state: PowerState): Promise<void> {
    await this.call('POST', `/_sandbox/vms/${encodeURIComponent(vmName)}/power-state`, { state });
  }

  /** The summary served by GET /_sandbox/state. */
  state(): Promise<{ requestCount: number; vms: Array<{ name: string; powerState: PowerState; publicIpAddress: string | null }> }> {
    return this.call('GET', '/_sandbox/state');
  }

  private async call<T>(method: string, adminPath: string, body?: unknown): Promise<T> {
    const response = await httpsRequest(`${this.endpoint}${adminPath}`, this.caPem, { method, body });
    if (response.status >= 300) {
      throw new Error(`${method} ${adminPath} failed with ${response.status}: ${response.text}`);
    }
    return response.json as T;
  }
}
