import type * as AzureLayer from '../azure';

let loaded: typeof AzureLayer | undefined;

/**
 * The Azure layer, loaded on first use: the Azure SDK is large (about a second to load), and
 * activation must not pay for it. esbuild keeps this require as is (see esbuild.mjs).
 */
export function azureLayer(): typeof AzureLayer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./azure.js') as typeof AzureLayer;
  return loaded;
}
