#!/usr/bin/env bash
# Starts the real server for the browser tests: a fresh SQLite database in a temporary
# directory, an admin, a finance and a manager account (the outbox, the admin pages), an
# API key for the events API (to create customers and payments), the built portal.
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
# The browser tests' webhook receiver listens on this machine.
export PARTNERLY_WEBHOOK_ALLOW_NETWORKS="127.0.0.0/8"
./target/debug/partnerly migrate
# The vendor's key for `POST /api/v1/events`: stored hashed (lowercase hex SHA-256) like
# every key. Keys have no CLI yet, so the row is written directly; the secret must equal
# EVENTS_KEY in support.ts.
python3 - "$data/partnerly.db" "pk_live_e2e_events_key_0123456789abcdef" <<'PY'
import hashlib, sqlite3, sys

database, secret = sys.argv[1], sys.argv[2]
with sqlite3.connect(database) as conn:
    conn.execute(
        "INSERT INTO api_keys (name, owner, prefix, key_hash, scopes, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        ("E2E billing", "e2e-billing", secret[:12], hashlib.sha256(secret.encode()).hexdigest(),
         "events:write", "2026-11-21 00:00:00"),
    )
PY
./target/debug/partnerly create-admin --email admin@e2e.test
# Finance staff and a program manager (same password), for the role differences of the
# admin pages.
./target/debug/partnerly create-admin --email finance@e2e.test --role finance
./target/debug/partnerly create-admin --email manager@e2e.test --role manager
./target/debug/partnerly serve
