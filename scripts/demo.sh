#!/usr/bin/env bash
# Installs what is missing, builds, and runs `rareledger demo` in a fresh
# ledger under demo-out/ (replaced on every run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
rm -rf demo-out
mkdir -p demo-out
build/bin/rareledger --db demo-out/ledger demo
