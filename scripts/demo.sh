#!/usr/bin/env bash
# The demo: installs what is missing, builds, then starts the sandbox cloud and VS Code with the
# extension in the browser (the URL is printed). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node out/test/sandbox/demo.js
