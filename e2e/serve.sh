#!/usr/bin/env bash
# Starts the real server for the browser tests: a fresh SQLite database in a temporary
# directory, an admin account (to read the email outbox), the built portal.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${E2E_PORT:-18099}"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
export PARTNERLY_DATA_DIR="$data"
export PARTNERLY_BIND="127.0.0.1:$port"
export PARTNERLY_PUBLIC_URL="http://localhost:$port"
export PARTNERLY_STATIC_DIR="$PWD/frontend/dist"
export PARTNERLY_ADMIN_PASSWORD="e2e admin passphrase"
# Every test signs up from 127.0.0.1: let the per-IP limits allow a whole run.
export PARTNERLY_RATE_LIMIT_IP_FACTOR=20
export PARTNERLY_LOG="${PARTNERLY_LOG:-warn}"
./target/debug/partnerly create-admin --email admin@e2e.test
./target/debug/partnerly serve
