/**
 * The sandbox's Azure Resource Manager stand-in: HTTPS on 127.0.0.1, spoken to by the real Azure SDK.
 *
 *   const arm = await startArmStandIn({ stateDir });          // cloud defaults to test/sandbox/cloud.json
 *   arm.endpoint      https://127.0.0.1:<port>  (Resource Manager endpoint AND authorityHost)
 *   arm.caFile/caPem  the self-signed certificate to trust (tlsOptions: { ca })
 *   arm.tenantId, arm.clientId, arm.clientSecret   the service principal ClientSecretCredential uses
 *   arm.staticToken   a bearer token valid for every tenant, for simple tests (StaticTokenCredential)
 *   arm.state         the in-memory cloud (VMs, power states…)
 *   arm.faults        fault rules: arm.faults.add({ kind: 'throttle', path: 'virtualMachines', times: 1 })
 *   arm.operations    power operations: durationMs, failNext({ vmName, action, code: 'AllocationFailed' })
 *   arm.tokens        revokeAll() / expireAll(): clients then get 401 until they fetch a new token
 *   arm.identities    VMs' managed identities and their role assignments: enable(vm), grant(vm), issueToken
 *   arm.requestCount, arm.requestLog (each entry's status, or `aborted` when the client gave up on it),
 *   arm.updateSettings({ latencyMs, pageSize, operationMs })
 *   network-layouts.ts   a dual-stack NIC, a VM on two NICs: what cloud.json cannot describe
 *   await arm.close()
 *
 * Every Resource Manager request needs `Authorization: Bearer <token issued here>`. The same controls
 * exist over HTTP under /_sandbox (see admin.ts). `<stateDir>/arm.json` holds the connection facts
 * for other processes. `onPowerChange(vm, state)` is awaited before a power operation succeeds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AdminApi, type AdminTarget } from './admin';
import { createSelfSignedCertificate } from './certificate';
import type { VmLifecycleHooks } from './capacity';
import { type CloudSpec, loadCloudSpec, validateCloudSpec } from './cloud-spec';
import { FaultInjector } from './faults';
import { ManagedIdentities } from './managed-identities';
import { OperationManager, type PowerChangeHook } from './operations';
import { ArmServer } from './server';
import { ArmState } from './state';
import { TokenEndpoint } from './token-endpoint';
import { PUBLIC_CLOUD_AUDIENCES, TokenIssuer } from './tokens';

export type { CloudSpec, VmSpec, SubscriptionSpec, ResourceGroupSpec, TenantSpec } from './cloud-spec';
export { defaultCloudSpecPath, loadCloudSpec } from './cloud-spec';
export type { FaultKind, FaultRule, ActiveFault } from './faults';
export { generateLargeCloud } from './large-cloud';
export type { OperationFailure, PowerChangeHook, VmAction } from './operations';
export type { StandInSettings } from './admin';
export { ArmAdminClient } from './admin-client';
export { httpsRequest, type RawResponse } from './https-request';
export type { ArmState, PowerState, VirtualMachine } from './state';
export { StaticTokenCredential } from './static-credential';
export { VM_SIZES, findVmSize, type VmSize } from './vm-sizes';
export { IdentityNotFound, type ManagedIdentities, type RoleAssignment } from './managed-identities';
export type { CapacityControls, CreatedVmFacts, CreateFailure, QuotaLimits, SkuRestriction, VmLifecycleHooks } from './capacity';
export { LINUX_HOURLY_EASTUS, startRetailPricesStandIn, type RetailPricesStandIn } from './retail-prices';

export interface ArmStandInOptions {
  /** The cloud to serve; test/sandbox/cloud.json when absent. */
  cloud?: CloudSpec;
  /** Where the certificate and arm.json go. */
  stateDir: string;
  /** 0 (any free port) when absent. */
  port?: number;
  /** Items per list page; 100 when absent. */
  pageSize?: number;
  /** Added to every Resource Manager and token request; 0 when absent. */
  latencyMs?: number;
  /** How long a power operation stays InProgress; 3000 when absent. */
  operationMs?: number;
  /** Lifetime of issued tokens; 3600 when absent. */
  tokenLifetimeSeconds?: number;
  /** 'sandbox-static-token' when absent. */
  staticToken?: string;
  onPowerChange?: PowerChangeHook;
  /** Awaited when a VM created through the API is about to succeed, and when one is deleted. */
  vmLifecycle?: VmLifecycleHooks;
}

/** The admin controls (state, faults, operations, tokens, settings, setPowerState) and the connection facts. */
export interface ArmStandIn extends AdminTarget {
  readonly endpoint: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly staticToken: string;
  close(): Promise<void>;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got ${value}`);
  }
  return value;
}

export async function startArmStandIn(options: ArmStandInOptions): Promise<ArmStandIn> {
  const spec = options.cloud ?? loadCloudSpec();
  validateCloudSpec(spec);
  const certificate = await createSelfSignedCertificate(options.stateDir);
  const state = new ArmState(spec);
  state.capacity.hooks = options.vmLifecycle ?? {};
  const faults = new FaultInjector();
  const operations = new OperationManager(nonNegative('operationMs', options.operationMs ?? 3000), options.onPowerChange);
  const settings = { latencyMs: nonNegative('latencyMs', options.latencyMs ?? 0), pageSize: options.pageSize ?? 100 };
  const staticToken = options.staticToken ?? 'sandbox-static-token';
  let endpoint = '';
  const tokens = new TokenIssuer(
    staticToken,
    spec.audiences ?? PUBLIC_CLOUD_AUDIENCES,
    options.tokenLifetimeSeconds ?? 3600,
    (tenantId) => `${endpoint}/${tenantId ?? spec.servicePrincipal.tenantId}`,
  );

  const identities = new ManagedIdentities(state, tokens);

  const standIn: ArmStandIn = {
    get endpoint() {
      return endpoint;
    },
    caFile: certificate.caFile,
    caPem: certificate.certPem,
    tenantId: spec.servicePrincipal.tenantId,
    clientId: spec.servicePrincipal.clientId,
    clientSecret: spec.servicePrincipal.clientSecret,
    staticToken,
    identities,
    state,
    faults,
    operations,
    tokens,
    get requestCount() {
      return server.requestCount;
    },
    get requestLog() {
      return server.requestLog;
    },
    settings: () => ({ ...settings, operationMs: operations.durationMs }),
    updateSettings(changes) {
      if (changes.latencyMs !== undefined) {
        settings.latencyMs = nonNegative('latencyMs', changes.latencyMs);
      }
      if (changes.pageSize !== undefined) {
        if (!Number.isInteger(changes.pageSize) || changes.pageSize < 1) {
          throw new Error(`pageSize must be a positive integer, got ${changes.pageSize}`);
        }
        settings.pageSize = changes.pageSize;
      }
      if (changes.operationMs !== undefined) {
        operations.durationMs = nonNegative('operationMs', changes.operationMs);
      }
      return standIn.settings();
    },
    async setPowerState(vmName, powerState) {
      const vm = state.vmNamed(vmName);
      if (vm.pendingOperation) {
        throw new Error(`VM ${vm.name} has an operation in progress (${vm.pendingOperation})`);
      }
      await options.onPowerChange?.(vm, powerState);
      vm.powerState = powerState;
    },
    async close() {
      operations.close();
      await server.close();
    },
  };

  const server = new ArmServer({
    env: () => ({ state, operations, tokens, pageSize: settings.pageSize, endpoint, identities }),
    settings,
    faults,
    tokens,
    tokenEndpoint: new TokenEndpoint(spec, tokens),
    admin: new AdminApi(() => standIn),
    identities,
  });
  standIn.updateSettings({ pageSize: settings.pageSize }); // rejects a bad pageSize option before listening
  endpoint = await server.listen(certificate, options.port ?? 0);

  const connection = {
    endpoint,
    caFile: certificate.caFile,
    tenantId: standIn.tenantId,
    clientId: standIn.clientId,
    clientSecret: standIn.clientSecret,
    staticToken,
  };
  fs.writeFileSync(path.join(options.stateDir, 'arm.json'), JSON.stringify(connection, null, 2) + '\n', { mode: 0o600 });
  return standIn;
}
