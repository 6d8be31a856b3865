// The Azure layer's public face: the entry of its own bundle (dist/azure.js, see esbuild.mjs),
// loaded on first use by src/features/azureLayer.ts.
export * from './cloudEndpoints';
export { ArmClients, type ArmClientOptions } from './armClients';
export { AzureAccount, type AccountHost, type SessionMode } from './azureAccount';
export { resolveAzureEnvironment, type AzureEnvironment, type AzureSettings, type CredentialKind } from './azureEnvironment';
export { describeAzureError, formatAzureProblem, SignInRequiredError, type AzureProblem } from './azureErrors';
export {
  ClusterInventory,
  type InventoryChange,
  type InventoryOptions,
  type InventoryState,
  type SubscriptionEntry,
} from './clusterInventory';
export type { VmRef } from './machines';
export { ScaleSetInventory, type ScaleSetListing, type ScaleSetOperation } from './scaleSetInventory';
export type { PowerAction } from './powerActions';
export type { AuthSession } from './sessionCredential';
export type { AzureSubscription, AzureTenant } from './subscriptions';
export type { AzureVm } from './virtualMachine';
export { listSubscriptions } from './subscriptions';
export { loadRegionGpuSizes, type RegionGpuSizes } from './gpuSizeCatalog';
export { acceptPlanTerms, imagePlanOf, readPlanTerms, type ImagePlan, type PlanTerms } from './marketplaceTerms';
export { findNameConflict, resourceGroupsIn, type PlacementRequest } from './gpuVmPlacement';
export {
  createGpuVm,
  deleteOwnedResources,
  deleteRemaining,
  findOwnedResources,
  GpuVmCreateError,
  type OwnedResource,
} from './gpuVmLifecycle';
