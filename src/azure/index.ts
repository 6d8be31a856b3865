// The Azure layer, bundled apart (dist/azure.js) and loaded on first use: see src/azureLayer.ts.
export * from './cloudEndpoints';
