#!/usr/bin/env bash
# The service in a self-contained sandbox: a test CA (pebble), a private nginx
# on high ports, and hostkeeper pointed at them. See README.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec npm run sandbox
