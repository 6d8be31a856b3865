import type { ArmClients } from './armClients';

export interface AzureTenant {
  readonly tenantId: string;
  readonly displayName: string;
  readonly defaultDomain?: string;
}

export interface AzureSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly tenantId?: string;
  readonly state?: string;
}

/** The tenants (directories) the signed-in account belongs to. */
export async function listTenants(clients: ArmClients, abortSignal?: AbortSignal): Promise<AzureTenant[]> {
  const tenants: AzureTenant[] = [];
  for await (const tenant of clients.subscriptions().tenants.list({ abortSignal })) {
    if (!tenant.tenantId) continue;
    tenants.push({
      tenantId: tenant.tenantId,
      displayName: tenant.displayName || tenant.defaultDomain || tenant.tenantId,
      defaultDomain: tenant.defaultDomain,
    });
  }
  return tenants;
}

/**
 * The subscriptions the account sees in its tenant, by name; `selected` (IDs, any case) narrows them,
 * and an empty selection keeps all. Disabled subscriptions are left out: nothing runs in them.
 */
export async function listSubscriptions(
  clients: ArmClients,
  selected: readonly string[],
  abortSignal?: AbortSignal,
): Promise<AzureSubscription[]> {
  const wanted = new Set(selected.map((id) => id.toLowerCase()));
  const tenantId = clients.credentials.tenantId?.toLowerCase();
  const subscriptions: AzureSubscription[] = [];
  for await (const sub of clients.subscriptions().subscriptions.list({ abortSignal })) {
    if (!sub.subscriptionId) continue;
    if (wanted.size > 0 && !wanted.has(sub.subscriptionId.toLowerCase())) continue;
    if (tenantId && sub.tenantId && sub.tenantId.toLowerCase() !== tenantId) continue;
    if (sub.state === 'Disabled') continue;
    subscriptions.push({
      subscriptionId: sub.subscriptionId,
      displayName: sub.displayName ?? sub.subscriptionId,
      tenantId: sub.tenantId,
      state: sub.state,
    });
  }
  return subscriptions.sort((a, b) => a.displayName.localeCompare(b.displayName));
}
