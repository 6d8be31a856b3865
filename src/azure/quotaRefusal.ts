/**
 * The figures of a quota refusal, read off Azure's message: "Operation could not be completed as it
 * results in exceeding approved standardNCADSA100v4Family Cores quota. Additional details -
 * Deployment Model: Resource Manager, Location: eastus, Current Limit: 24, Current Usage: 24,
 * Additional Required: 24, (Minimum) New Limit Required: 48. Submit a request for Quota increase at
 * https://aka.ms/ProdportalCRP/#blade/… by specifying parameters listed in the 'Details' section…"
 */

export interface QuotaShortfall {
  /** "standardNCADSA100v4Family", "Total Regional"; absent when the message does not say. */
  readonly family?: string;
  readonly location?: string;
  readonly limit?: number;
  readonly usage?: number;
  readonly required?: number;
  readonly newLimit?: number;
  /** Where to ask for more: the link in Azure's message, else the portal's quota page. */
  readonly requestLink: string;
}

/** The Azure portal's "My quotas" page, for messages that carry no link of their own. */
export const PORTAL_QUOTA_LINK = 'https://portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade/~/myQuotas';

function figure(message: string, label: string): number | undefined {
  const match = new RegExp(`${label}:\\s*(\\d+)`, 'i').exec(message);
  return match ? Number(match[1]) : undefined;
}

export function readQuotaShortfall(message: string): QuotaShortfall {
  return {
    family: /approved (.+?) Cores quota/i.exec(message)?.[1],
    location: /Location:\s*([^,.]+)/i.exec(message)?.[1].trim(),
    limit: figure(message, 'Current Limit'),
    usage: figure(message, 'Current Usage'),
    required: figure(message, 'Additional Required'),
    newLimit: figure(message, '\\(Minimum\\) New Limit Required'),
    requestLink: /https:\/\/[^\s'"]+/.exec(message)?.[0].replace(/[.,;]+$/, '') ?? PORTAL_QUOTA_LINK,
  };
}

/** "24 of 24 standardNCADSA100v4Family vCPUs in eastus are in use; this needs 24 more", or undefined without the figures. */
export function describeShortfall(shortfall: QuotaShortfall): string | undefined {
  const { family, location, limit, usage, required } = shortfall;
  if (limit === undefined || usage === undefined || required === undefined) return undefined;
  const what = [family, 'vCPUs'].filter(Boolean).join(' ');
  const where = location ? ` in ${location}` : '';
  return `Not enough vCPU quota: ${usage} of ${limit} ${what}${where} are in use; this needs ${required} more`;
}
