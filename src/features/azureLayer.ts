import type * as AzureLayer from '../azure/azureBundle';

let loaded: typeof AzureLayer | undefined;

/**
 * The Azure layer, loaded on first use: the Azure SDK is large (about a second to load), and
 * activation must not pay for it. esbuild keeps this require as is (see esbuild.mjs).
 */
export function azureLayer(): typeof AzureLayer {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported: unknown = require('./azure.js');
    if (!isAzureLayer(exported)) throw new Error('azure.js is not the Azure layer: rebuild the extension.');
    loaded = exported;
  }
  return loaded;
}

function isAzureLayer(module: unknown): module is typeof AzureLayer {
  return typeof module === 'object' && module !== null && 'AzureAccount' in module && 'ClusterInventory' in module;
}
