#!/usr/bin/env bash
# Installs the Debian packages rareledger needs, only those that are missing.
# Runs `apt-get update` only when something must be installed.
set -euo pipefail
PACKAGES=(cmake ninja-build g++ pkg-config librocksdb-dev libssl-dev openssl
          libboost-dev libboost-graph-dev catch2 nlohmann-json3-dev libcli11-dev graphviz curl python3)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
