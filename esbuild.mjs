// Bundles the extension host code and the webview front end.
//   dist/extension.js  activation entry: small, loads nothing heavy
//   dist/azure.js      the Azure SDK layer, required lazily on first use
//   dist/webview/*.js  webview front end (browser, no network)
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import process from 'node:process';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', legalComments: 'none' };

const host = {
  ...common,
  entryPoints: { extension: 'src/extension.ts', azure: 'src/azure/azureBundle.ts' },
  outdir: 'dist',
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ssh2's optional native addons: it falls back to pure JS when they are absent.
  external: ['vscode', 'cpu-features', '*.node', './azure.js'],
};

const webview = {
  ...common,
  entryPoints: { logPanel: 'media/src/logPanel.ts' },
  outdir: 'dist/webview',
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
};

// The codicon font and its stylesheet, served to webviews from the extension (no network).
fs.mkdirSync('dist/webview', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/webview/${file}`);

if (watch) {
  for (const options of [host, webview]) await (await esbuild.context(options)).watch();
} else {
  await Promise.all([esbuild.build(host), esbuild.build(webview)]);
}
