#!/usr/bin/env bash
# The server benchmark of issue 12 (docs/performance.md, "Server").
#
#   scripts/bench-server.sh [rl_server_bench options]
#
# Installs what it needs when missing (the build's Debian packages via
# deps.sh, then nginx and wrk), builds Release into build-bench/ with the
# bench on, writes an nginx config to a temporary directory (loopback port,
# runs as the current user, serves the `rareledger tiles` directory the
# benchmark writes) and runs build-bench/bin/rl_server_bench: one run,
# one table of figures and ratios. nginx is started and stopped by the
# benchmark. Scratch data goes to $RL_BENCH_WORK (default
# build-bench/server-work), wiped at the start. Options (defaults):
# --single-per-client 120, --latency-per-client 100, --batches-per-client 11
# (about 100k entries in all), --baseline-seconds 3, --wrk-seconds 5,
# --idle 10000.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/deps.sh"
missing=()
for p in nginx wrk; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-server: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # RUNLEVEL=1: the package's init script must not start a system nginx.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
WRK="$(command -v wrk)"

# RL_WERROR=OFF as in bench.sh (a GCC 12 false positive at -O3).
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DRL_BUILD_BENCH=ON \
      -DRL_BUILD_TESTS=OFF -DRL_WERROR=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target rareledger rl_server_bench

WORK="$(realpath -m "${RL_BENCH_WORK:-build-bench/server-work}")"
rm -rf "$WORK"
mkdir -p "$WORK"
NGX="$(mktemp -d /tmp/rl-bench-nginx.XXXXXX)"
trap 'rm -rf "$NGX"' EXIT
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# As root, nginx's workers would run as nobody; keep them the current user.
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user $(id -un) $(id -gn);"
cat > "$NGX/nginx.conf" <<CONF
# rl_server_bench: nginx serving the tiles directory, like serve (2 workers,
# keep-alive, no access log).
$USER_LINE
worker_processes $(nproc);
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  default_type application/octet-stream;
  client_body_temp_path $NGX/body;
  proxy_temp_path $NGX/proxy;
  fastcgi_temp_path $NGX/fastcgi;
  uwsgi_temp_path $NGX/uwsgi;
  scgi_temp_path $NGX/scgi;
  server {
    listen 127.0.0.1:$PORT;
    root $WORK/tiles;
    location /tile/ { add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
CONF
echo "bench-server: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), $("$WRK" -v 2>&1 | head -1 | cut -d' ' -f1-2)"
build-bench/bin/rl_server_bench --bin build-bench/bin/rareledger --work "$WORK" --wrk "$WRK" \
  --nginx "$NGINX" --nginx-conf "$NGX/nginx.conf" --nginx-port "$PORT" "$@"
