#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each one for
# SECONDS (default 5: the CI smoke) from its checked-in seed corpus.
#
#   scripts/fuzz.sh [SECONDS]
#
# Environment:
#   FUZZ_TARGETS  space-separated subset of the targets (default: all seven)
#   FUZZ_RUNS     stop each target after this many executions instead
#   FUZZ_JOBS     build parallelism (default: nproc)
#   FUZZ_WORK     where the growing corpora, logs and crash files go
#                 (default build-fuzz/fuzz-work; the seeds in fuzz/corpus are
#                 never modified)
# Exit status: 0 if every target ran clean, 1 if any found a crash (the
# reproducer is FUZZ_WORK/TARGET-crash-*, see docs/robustness.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-5}
targets=${FUZZ_TARGETS:-"fuzz_canonical_json fuzz_entry_apply fuzz_policy fuzz_checkpoint fuzz_merkle_proofs fuzz_epcis_import fuzz_notice"}
build=$root/build-fuzz
work=${FUZZ_WORK:-$build/fuzz-work}

# What the build needs: clang with the libFuzzer runtime, and the project's
# own dependencies.
need=()
command -v clang++ > /dev/null || need+=(clang)
command -v cmake > /dev/null || need+=(cmake)
command -v ninja > /dev/null || need+=(ninja-build)
[ -e /usr/include/rocksdb/db.h ] || need+=(librocksdb-dev)
[ -e /usr/include/openssl/evp.h ] || need+=(libssl-dev)
[ -e /usr/include/boost/graph/adjacency_list.hpp ] || need+=(libboost-dev libboost-graph-dev)
[ -e /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)
[ -e /usr/include/CLI/CLI.hpp ] || need+=(libcli11-dev)
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' > "$probe/p.cpp"
if ! command -v clang++ > /dev/null ||
   ! clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2> /dev/null; then
  need+=(clang libclang-rt-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "fuzz.sh: installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz.sh: need root to install ${need[*]}" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" > /dev/null
  clang++ -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" || {
    echo "fuzz.sh: clang cannot link -fsanitize=fuzzer (libFuzzer runtime missing)" >&2
    exit 2
  }
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DRL_BUILD_FUZZ=ON -DRL_BUILD_TESTS=OFF -DRL_SANITIZE=ON > /dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j "${FUZZ_JOBS:-$(nproc)}" --target $targets

mkdir -p "$work"
failed=()
for t in $targets; do
  mkdir -p "$work/$t"
  limit=(-max_total_time="$seconds")
  [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
  echo "== $t (${FUZZ_RUNS:+$FUZZ_RUNS runs}${FUZZ_RUNS:-$seconds s})"
  if "$build/bin/$t" "${limit[@]}" -print_final_stats=1 -timeout=25 -rss_limit_mb=2048 \
       -artifact_prefix="$work/$t-" "$work/$t" "$root/fuzz/corpus/$t" > "$work/$t.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^Done' "$work/$t.log" || true
  else
    failed+=("$t")
    echo "fuzz.sh: $t FAILED; log $work/$t.log, reproducer:" >&2
    ls "$work/$t"-* >&2 2> /dev/null || true
    grep -E 'ERROR|runtime error|RL_FUZZ_CHECK|SUMMARY' "$work/$t.log" | head -5 >&2 || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all targets clean"
