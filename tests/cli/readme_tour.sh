#!/usr/bin/env bash
# Runs the README's five-minute tour exactly as written, twice in a row,
# from an unrelated directory, with RL_HOME pointing at this source tree
# whose build is BUILD_DIR. Fails on the first failing command.
set -euo pipefail
src="$1"
build="$2"
tour="$(mktemp)"
trap 'rm -f "$tour"' EXIT
awk '/^## A five-minute tour/{in_tour=1} in_tour && /^```sh$/{code=1; next}
     code && /^```$/{exit} code{print}' "$src/README.md" > "$tour"
[ -s "$tour" ] || { echo "readme_tour: no tour block found in README.md" >&2; exit 1; }
# The tour uses $RL_HOME/build/bin; point it at this build's binary.
home="$(mktemp -d)"
mkdir -p "$home/build"
ln -s "$build/bin" "$home/build/bin"
for round in 1 2; do
  echo "readme_tour: round $round"
  (cd / && RL_HOME="$home" bash -euo pipefail "$tour" >/dev/null)
done
rm -rf "$home"
echo "readme_tour: the tour ran twice"
