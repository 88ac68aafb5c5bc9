#!/usr/bin/env bash
# The scale benchmark of issue 6 (docs/performance.md).
#
#   scripts/bench.sh [N]          N entries (default 1000000)
#
# Builds Release into build-bench/ with the bench on and the tests off, then
# runs build-bench/bin/rl_bench: the machine's Ed25519 verify rate, N signed
# entries from many parties, bulk submit and verify with the real binary,
# assess on a big vs a tiny ledger, proofs at N vs 1k entries and bytes on
# disk, each printed with its ratio. Scratch data goes to $RL_BENCH_WORK
# (default build-bench/work), wiped at the start; extra arguments after N go
# to rl_bench (e.g. --keep, --threads 2, --baseline-seconds 4).
# RL_WERROR=OFF: GCC 12 at -O3 reports a false -Wstringop-overflow inside
# libstdc++ (ledger/entry.cpp ParseFraction); a benchmark must not fail on it.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
shift || true
"$(dirname "$0")/deps.sh"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DRL_BUILD_BENCH=ON \
      -DRL_BUILD_TESTS=OFF -DRL_WERROR=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target rareledger rl_bench
WORK="${RL_BENCH_WORK:-build-bench/work}"
rm -rf "$WORK"
mkdir -p "$WORK"
echo "bench: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
exec build-bench/bin/rl_bench --bin build-bench/bin/rareledger --work "$WORK" \
     --policy policies/cn-mofcom-2025-61.json --entries "$N" "$@"
