/** The Resource Manager and sign-in endpoints of each Azure cloud. */
export type CloudName = 'AzureCloud' | 'AzureChinaCloud' | 'AzureUSGovernment' | 'Custom';

export interface CloudEndpoints {
  resourceManager: string;
  authorityHost: string;
  /** The OAuth scope of Resource Manager tokens. */
  scope: string;
}

const knownClouds: Record<Exclude<CloudName, 'Custom'>, CloudEndpoints> = {
  AzureCloud: {
    resourceManager: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    scope: 'https://management.azure.com/.default',
  },
  AzureChinaCloud: {
    resourceManager: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    scope: 'https://management.chinacloudapi.cn/.default',
  },
  AzureUSGovernment: {
    resourceManager: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    scope: 'https://management.usgovcloudapi.net/.default',
  },
};

/**
 * Resolves the endpoints of a cloud. A custom cloud takes its own Resource Manager endpoint and
 * authority, but keeps the public cloud's token scope (what Azure Stack and test endpoints accept).
 */
export function cloudEndpoints(cloud: CloudName, custom?: { resourceManager?: string; authorityHost?: string }): CloudEndpoints {
  if (cloud !== 'Custom') return knownClouds[cloud];
  const resourceManager = custom?.resourceManager?.replace(/\/+$/, '');
  if (!resourceManager) {
    throw new Error('The cloud is set to Custom but azurePytorch.resourceManagerEndpoint is empty. Set it to your Resource Manager URL.');
  }
  if (!/^https:\/\//i.test(resourceManager)) {
    throw new Error(
      `azurePytorch.resourceManagerEndpoint must be an https URL (got "${resourceManager}"): Azure tokens are only sent over TLS.`,
    );
  }
  return {
    resourceManager,
    authorityHost: custom?.authorityHost?.replace(/\/+$/, '') || resourceManager,
    scope: knownClouds.AzureCloud.scope,
  };
}
