#!/usr/bin/env bash
# Installs what is missing, builds the binary alone (not the tests), and
# runs `rareledger demo` in a fresh ledger under demo-out/ (replaced on
# every run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target rareledger
rm -rf demo-out
mkdir -p demo-out
build/bin/rareledger --db demo-out/ledger demo
