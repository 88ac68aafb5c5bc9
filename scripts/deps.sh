#!/usr/bin/env bash
# Installs the Debian packages rareledger needs, only those that are missing.
# Runs `apt-get update` only when something must be installed.
set -euo pipefail
PACKAGES=(cmake ninja-build g++ pkg-config librocksdb-dev libssl-dev openssl
          libboost-dev libboost-graph-dev catch2 nlohmann-json3-dev libcli11-dev graphviz curl jq
          python3 nodejs python3-jsonschema python3-rfc3987)
# python3-jsonschema and python3-rfc3987: the tests check every EPCIS export
# against GS1's JSON Schema with format checks (tests/epcis/validate_schema.py).
# nodejs: web/verify.js runs under node in a test.
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
