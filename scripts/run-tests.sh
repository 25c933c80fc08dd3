#!/usr/bin/env bash
# The whole test suite against real Postgres, Redis, nginx, pebble and restic.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec npm test
