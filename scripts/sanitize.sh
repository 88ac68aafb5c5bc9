#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UBSan (-DRL_SANITIZE=ON) into
# build-asan/ and runs the whole test suite there. Any sanitizer report
# fails the test that triggered it. -g1: line tables for the reports'
# stack traces, without the full debug info that made the build a fifth
# slower.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/deps.sh"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRL_SANITIZE=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >/dev/null
cmake --build build-asan -j"$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd build-asan
ctest --output-on-failure -j"$(nproc)" --timeout 900
