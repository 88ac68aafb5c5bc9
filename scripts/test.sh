#!/usr/bin/env bash
# Installs what is missing, builds in Release and runs every test via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
