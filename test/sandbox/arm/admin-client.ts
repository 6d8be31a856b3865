/**
 * The /_sandbox admin paths from another process: fault a running extension host's Azure calls,
 * revoke its tokens, fail its next VM start, read the cloud's state. Reads arm.json for its
 * connection facts when built with `fromStateDir`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { jsonArray, jsonAt, jsonNumber, jsonOneOf, jsonString, parseJson } from '../../json';
import { parseStandInSettings, POWER_STATES, type StandInSettings } from './admin';
import { parseActiveFault, type ActiveFault, type FaultRule } from './faults';
import { httpsRequest } from './https-request';
import type { OperationFailure } from './operations';
import type { PowerState } from './state';

export class ArmAdminClient {
  constructor(
    readonly endpoint: string,
    private readonly caPem: string,
  ) {}

  static fromStateDir(stateDir: string): ArmAdminClient {
    const connection = parseJson(fs.readFileSync(path.join(stateDir, 'arm.json'), 'utf8'));
    return new ArmAdminClient(jsonString(connection, 'endpoint'), fs.readFileSync(jsonString(connection, 'caFile'), 'utf8'));
  }

  async addFault(rule: FaultRule): Promise<ActiveFault> {
    return parseActiveFault(await this.call('POST', '/_sandbox/faults', rule));
  }

  async listFaults(): Promise<ActiveFault[]> {
    return jsonArray(await this.call('GET', '/_sandbox/faults')).map(parseActiveFault);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/_sandbox/faults');
  }

  async failNextOperation(failure: OperationFailure): Promise<void> {
    await this.call('POST', '/_sandbox/operation-failures', failure);
  }

  async revokeTokens(includeStatic = false): Promise<number> {
    return jsonNumber(await this.call('POST', '/_sandbox/tokens/revoke', { includeStatic }), 'revoked');
  }

  async expireTokens(): Promise<number> {
    return jsonNumber(await this.call('POST', '/_sandbox/tokens/expire'), 'expired');
  }

  async updateSettings(changes: Partial<StandInSettings>): Promise<StandInSettings> {
    return parseStandInSettings(await this.call('POST', '/_sandbox/settings', changes));
  }

  async setPowerState(vmName: string, state: PowerState): Promise<void> {
    await this.call('POST', `/_sandbox/vms/${encodeURIComponent(vmName)}/power-state`, { state });
  }

  /** The summary served by GET /_sandbox/state. */
  async state(): Promise<{ requestCount: number; vms: Array<{ name: string; powerState: PowerState; publicIpAddress: string | null }> }> {
    const state = await this.call('GET', '/_sandbox/state');
    return {
      requestCount: jsonNumber(state, 'requestCount'),
      vms: jsonArray(state, 'vms').map((vm) => ({
        name: jsonString(vm, 'name'),
        powerState: jsonOneOf(POWER_STATES, vm, 'powerState'),
        publicIpAddress: jsonAt(vm, 'publicIpAddress') === null ? null : jsonString(vm, 'publicIpAddress'),
      })),
    };
  }

  private async call(method: string, adminPath: string, body?: unknown): Promise<unknown> {
    const response = await httpsRequest(`${this.endpoint}${adminPath}`, this.caPem, { method, body });
    if (response.status >= 300) {
      throw new Error(`${method} ${adminPath} failed with ${response.status}: ${response.text}`);
    }
    return response.json;
  }
}
