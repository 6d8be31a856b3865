/**
 * Azure's own wording of its capacity and quota refusals, for the codes the stand-in can be told to
 * answer with (a failed operation or a 409 fault) when no message is given.
 */
export const QUOTA_EXCEEDED_MESSAGE =
  'Operation could not be completed as it results in exceeding approved standardNCADSA100v4Family Cores quota. ' +
  'Additional details - Deployment Model: Resource Manager, Location: eastus, Current Limit: 24, Current Usage: 24, ' +
  'Additional Required: 24, (Minimum) New Limit Required: 48. Submit a request for Quota increase at ' +
  'https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView/Parameters/' +
  '%7B%22command%22:%22openQuotaApprovalBlade%22,%22quotas%22:%5B%7B%22location%22:%22eastus%22,' +
  '%22newLimit%22:48,%22resourceName%22:%22standardNCADSA100v4Family%22%7D%5D%7D ' +
  "by specifying parameters listed in the 'Details' section for deployment to succeed. " +
  'Please read more about quota limits at https://docs.microsoft.com/en-us/azure/azure-supportability/per-vm-quota-requests';

export const REFUSAL_MESSAGES: Readonly<Record<string, string>> = {
  AllocationFailed:
    'Allocation failed. We do not have sufficient capacity for the requested VM size in this region. ' +
    'Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
  ZonalAllocationFailed:
    'Allocation failed. We do not have sufficient capacity for the requested VM size in this zone. ' +
    'Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
  OverconstrainedAllocationRequest:
    'Allocation failed. VM(s) with the following constraints cannot be allocated, because the condition is too restrictive.',
  SkuNotAvailable:
    "The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: Standard_NC24ads_A100_v4' " +
    "is currently not available in location 'eastus'. Please try another size or deploy to a different location or " +
    'different zone. See https://aka.ms/azureskunotavailable for details.',
  OperationNotAllowed: QUOTA_EXCEEDED_MESSAGE,
  QuotaExceeded: QUOTA_EXCEEDED_MESSAGE,
};
