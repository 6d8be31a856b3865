#!/usr/bin/env bash
# Installs everything the tests and the demo need, then builds the extension. Idempotent: a second
# run only rebuilds. Debian packages (apt), npm packages, the VS Code server and Node 24 it runs on
# (into the git-ignored .vscode-test/), then the bundles and the .vsix.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-debian-packages.sh

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

bash scripts/install-vscode-server.sh

echo "Building the extension"
npm run --silent build
npx vsce package --no-dependencies --out dist/azure-pytorch.vsix >/dev/null
