import type { WatchdogEndpoints } from '../../costGuard/watchdogConfig';

export interface WatchdogEndpointSettings {
  /** azurePytorch.costGuard.instanceMetadataEndpoint; `{vmAddress}` stands for the VM's address. */
  readonly instanceMetadata: string;
  /** azurePytorch.costGuard.resourceManagerEndpoint; empty: the extension's own. */
  readonly resourceManager: string;
}

/**
 * The endpoints the VM's watchdog talks to: the settings', else the Resource Manager the extension
 * uses, with its token audience (the scope without `.default`) and the CA the extension trusts for it.
 */
export function watchdogEndpoints(
  configured: WatchdogEndpointSettings,
  extension: { readonly resourceManager: string; readonly scope: string; readonly caPem?: string },
  vmAddress: string,
): WatchdogEndpoints {
  const instanceMetadata = configured.instanceMetadata
    .trim()
    .replace(/\{vmAddress\}/g, vmAddress)
    .replace(/\/+$/, '');
  const resourceManager = (configured.resourceManager.trim() || extension.resourceManager).replace(/\/+$/, '');
  return {
    instanceMetadata,
    resourceManager,
    resourceManagerAudience: extension.scope.replace(/\.default$/, ''),
    ...(extension.caPem ? { resourceManagerCaPem: extension.caPem } : {}),
  };
}
