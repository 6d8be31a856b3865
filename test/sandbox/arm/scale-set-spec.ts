/** A VM scale set in the sandbox cloud's JSON description (a resource group's `scaleSets`). */
import * as net from 'net';
import { jsonArray, jsonMember, jsonNumber, jsonOneOf, jsonString } from '../../json';
import type { SpecPowerState } from './cloud-spec';

export type OrchestrationMode = 'Uniform' | 'Flexible';
const ORCHESTRATION_MODES: readonly OrchestrationMode[] = ['Uniform', 'Flexible'];
const POWER_STATES: readonly SpecPowerState[] = ['running', 'stopped', 'deallocated'];

export interface ScaleSetSpec {
  name: string;
  size: string;
  /** Instances at start (sku.capacity). */
  capacity: number;
  /** Defaults to Uniform. */
  orchestrationMode?: OrchestrationMode;
  /** Every instance's power state at start; defaults to running. */
  powerState?: SpecPowerState;
  /** Loopback addresses given to the instances in order, as their public IPs. */
  publicIpAddresses?: string[];
}

export function parseScaleSetSpec(json: unknown): ScaleSetSpec {
  return {
    name: jsonString(json, 'name'),
    size: jsonString(json, 'size'),
    capacity: jsonNumber(json, 'capacity'),
    ...jsonMember(json, 'orchestrationMode', (value, ...path) => jsonOneOf(ORCHESTRATION_MODES, value, ...path)),
    ...jsonMember(json, 'powerState', (value, ...path) => jsonOneOf(POWER_STATES, value, ...path)),
    ...jsonMember(json, 'publicIpAddresses', (value, ...path) => jsonArray(value, ...path).map((item) => jsonString(item))),
  };
}

/** Throws on what would make the stand-in lie or reach outside loopback; `addresses` holds those already used. */
export function validateScaleSetSpec(
  spec: ScaleSetSpec,
  where: string,
  addresses: Set<string>,
  knownSize: (size: string) => boolean,
): void {
  if (!knownSize(spec.size)) throw new Error(`${where}: unknown VM size ${spec.size}`);
  if (!Number.isInteger(spec.capacity) || spec.capacity < 0 || spec.capacity > 1000) {
    throw new Error(`${where}: capacity ${spec.capacity} is not a whole number from 0 to 1000`);
  }
  for (const address of spec.publicIpAddresses ?? []) {
    if (!net.isIPv4(address) || !address.startsWith('127.')) throw new Error(`${where}: public IP ${address} must be a loopback address`);
    if (addresses.has(address)) throw new Error(`${where}: public IP ${address} is used twice`);
    addresses.add(address);
  }
}
