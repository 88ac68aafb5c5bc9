#!/usr/bin/env bash
# The web viewer in real headless Chromium (tests/web/browser_test.mjs).
# Installs what it needs when missing, as scripts/deps.sh does: Debian's
# chromium and nodejs/npm, and puppeteer-core from npm into BUILD/web-test
# (never into the source tree). Fails, never skips, when it cannot.
# Usage: run_browser_test.sh RARELEDGER_BINARY BUILD_DIR
set -euo pipefail
BIN=$(realpath "$1")
BUILD=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "web test: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
MODULES="$BUILD/web-test"
if [ ! -f "$MODULES/node_modules/puppeteer-core/package.json" ]; then
  echo "web test: installing puppeteer-core into $MODULES" >&2
  mkdir -p "$MODULES"
  npm install --prefix "$MODULES" --no-audit --no-fund --silent puppeteer-core@24 >&2
fi
export NODE_PATH="$MODULES/node_modules"
ARTIFACTS="$BUILD/test-artifacts/web"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ARTIFACTS"
# ESM ignores NODE_PATH: the test resolves puppeteer-core from MODULES itself.
node "$HERE/browser_test.mjs" "$BIN" "$WORK" "$ARTIFACTS" "$MODULES" "$(command -v chromium)" "$HERE/tamper_proxy.py"
