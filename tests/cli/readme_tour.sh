#!/usr/bin/env bash
# Runs the README's five-minute tour exactly as written, twice in a row,
# from an unrelated directory, with RL_HOME pointing at this source tree
# whose build is BUILD_DIR. Fails on the first failing command, and then
# prints the end of the round's trace.
#
# Each round is bounded in time, and whatever the tour left running (its
# `serve` in the background, if a later command failed) is killed with it:
# a leftover server would hold this test's output open and turn a one-line
# failure into a ctest timeout.
set -euo pipefail
src="$1"
build="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tour="$work/tour.sh"
awk '/^## A five-minute tour/{in_tour=1} in_tour && /^```sh$/{code=1; next}
     code && /^```$/{exit} code{print}' "$src/README.md" > "$tour"
[ -s "$tour" ] || { echo "readme_tour: no tour block found in README.md" >&2; exit 1; }
# The tour uses $RL_HOME/build/bin; point it at this build's binary.
home="$work/home"
mkdir -p "$home/build"
ln -s "$build/bin" "$home/build/bin"
# Test hygiene around the tour, not part of it: on any exit, stop the
# background jobs the tour started.
runner="$work/run.sh"
{
  echo 'trap '\''for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done'\'' EXIT'
  echo 'source "$1"'
} > "$runner"
for round in 1 2; do
  echo "readme_tour: round $round"
  rc=0
  # timeout runs the round in its own process group and, past the limit,
  # signals all of it (the server too).
  (cd / && PS4='+ ' RL_HOME="$home" timeout -k 10 240 \
     bash -x -euo pipefail "$runner" "$tour" >/dev/null 2>"$work/trace.$round") || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "readme_tour: round $round failed with status $rc$([ "$rc" -eq 124 ] && echo ' (timed out after 240 s)'); the end of its trace:" >&2
    tail -n 25 "$work/trace.$round" >&2
    exit 1
  fi
done
echo "readme_tour: the tour ran twice"
