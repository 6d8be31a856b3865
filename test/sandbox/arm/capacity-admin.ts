/**
 * Admin paths for VM creation limits, so that another process (an extension host under test, a demo)
 * can set them:
 *
 *   POST   /_sandbox/capacity/quota            { "location": "eastus", "regional"?: n, "lowPriority"?: n,
 *                                                "families"?: { "StandardNCADSA100v4Family": n }, "defaultFamily"?: n }
 *   POST   /_sandbox/capacity/restrictions     { "location": "eastus", "size": "Standard_NC24ads_A100_v4", "zones"?: ["1"] }
 *   POST   /_sandbox/capacity/create-failures  { "code": "AllocationFailed", "vmName"?: "…", "zone"?: "2", "message"?: "…" }
 *   DELETE /_sandbox/capacity/restrictions     remove every restriction (and pending create failures)
 */
import { jsonArray, jsonEntries, jsonMember, jsonNumber, jsonString, parseJson } from '../../json';
import type { CapacityControls, QuotaLimits } from './capacity';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

function parseQuota(json: unknown): { location: string; changes: Partial<QuotaLimits> } {
  const families = jsonMember(json, 'families', (value, ...path) =>
    Object.fromEntries(jsonEntries(value, ...path).map(([name, limit]) => [name, jsonNumber(limit)])),
  );
  return {
    location: jsonString(json, 'location'),
    changes: {
      ...jsonMember(json, 'regional', jsonNumber),
      ...jsonMember(json, 'lowPriority', jsonNumber),
      ...jsonMember(json, 'defaultFamily', jsonNumber),
      ...families,
    },
  };
}

/** Answers a capacity admin path; undefined for any other path. Throws on a malformed body. */
export function capacityAdmin(method: string, path: string, body: string, capacity: CapacityControls): AdminAnswer | undefined {
  const json = (): unknown => (body.trim() === '' ? {} : parseJson(body));
  switch (`${method} ${path}`) {
    case 'POST /_sandbox/capacity/quota': {
      const { location, changes } = parseQuota(json());
      capacity.setQuota(location, changes);
      return { status: 200, body: capacity.quotaOf(location) };
    }
    case 'POST /_sandbox/capacity/restrictions': {
      const value = json();
      const zones = jsonMember(value, 'zones', (v, ...at) => jsonArray(v, ...at).map((zone) => jsonString(zone)));
      const restriction = { location: jsonString(value, 'location'), size: jsonString(value, 'size'), ...zones };
      capacity.restrict(restriction);
      return { status: 201, body: restriction };
    }
    case 'DELETE /_sandbox/capacity/restrictions':
      capacity.restrictions = [];
      capacity.createFailures = [];
      return { status: 200, body: {} };
    case 'POST /_sandbox/capacity/create-failures': {
      const value = json();
      const failure = {
        code: jsonString(value, 'code'),
        ...jsonMember(value, 'vmName', jsonString),
        ...jsonMember(value, 'zone', jsonString),
        ...jsonMember(value, 'message', jsonString),
      };
      capacity.failNextCreate(failure);
      return { status: 201, body: failure };
    }
  }
  return undefined;
}
