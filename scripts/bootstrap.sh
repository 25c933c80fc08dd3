#!/usr/bin/env bash
# Makes a fresh Debian machine ready for hostkeeper: the Debian packages the
# service drives (nginx, restic) and the tests and sandbox need (pebble,
# certbot and lego for the benchmark, chromium for the console tests), running Postgres and Redis, and
# node_modules. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for bin in nginx:nginx-light pebble:pebble pebble-challtestsrv:pebble restic:restic certbot:certbot lego:lego curl:curl openssl:openssl tar:tar gpg:gpg testssl:testssl.sh; do
  command -v "${bin%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${bin%%:*}" ] || missing+=("${bin#*:}")
done
# njs: nginx checks under-attack passes itself (Debian loads it from modules-enabled)
[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ] || missing+=(libnginx-mod-http-js)
# a real browser runs the under-attack challenge page in the tests
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  # policy-rc.d keeps the packaged nginx from starting on port 80: hostkeeper runs its own.
  printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
  as_root chmod +x /usr/sbin/policy-rc.d
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  as_root rm -f /usr/sbin/policy-rc.d
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "bootstrap: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "bootstrap: starting Redis (no persistence, as in production here)"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/hostkeeper.log
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 1; done
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund
fi
