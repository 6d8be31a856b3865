#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo need, only those missing.
# chromium: e2e tests; openssh-server, python3-torch…: the simulated GPU VMs;
# libkrb5-dev, g++, make, pkg-config: native modules of the VS Code server.
set -euo pipefail
packages=(chromium openssh-server openssh-client rsync python3-torch python3-numpy python3-venv
  libkrb5-dev g++ make pkg-config python3 openssl util-linux procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
