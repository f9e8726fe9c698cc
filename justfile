# Partnerly's tasks. `./dev <recipe>` installs `just` when missing and runs the recipe.
# `just test` is exactly what CI (.ci/run) runs.

set shell := ["bash", "-euo", "pipefail", "-c"]
set dotenv-load := false

export PATH := env_var("HOME") + "/.cargo/bin:" + justfile_directory() + "/frontend/node_modules/.bin:" + env_var("PATH")

# Where the test suite finds PostgreSQL (each test creates and drops its own database).
pg_url := env_var_or_default("TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")

default:
    @just --list

# Build the portal, migrate and seed an SQLite database in ./data, serve on one port.
run: setup portal
    cargo build -p partnerly-api
    ./target/debug/partnerly seed-demo
    ./target/debug/partnerly serve

# Install the tools the portal build needs (skips what is present).
setup:
    scripts/setup.sh

# Build the portal (Leptos → wasm, `erase_components` from .cargo/config.toml) into
# frontend/dist; fails above its size budget.
portal:
    trunk build --release
    scripts/size.sh

# The portal's weight: build it, print wasm, JS and CSS raw and gzipped, check the budget.
size: portal

# Every check CI runs: fmt, clippy, purity, tests on SQLite + PostgreSQL, portal, browser.
test: setup-test fmt-check lint purity openapi-check test-sqlite test-postgres contract portal e2e
    @echo "All checks passed."

# Install everything the tests need (Chromium, Playwright, PostgreSQL running).
setup-test:
    scripts/setup.sh --test

fmt-check:
    cargo fmt --all -- --check

# Clippy on the server crates and, for its real target, the portal.
lint:
    cargo clippy --all-targets -- -D warnings
    cargo clippy -p partnerly-web --target wasm32-unknown-unknown -- -D warnings

# The domain crate must stay free of the database, web framework and runtime; the engine
# free of the web framework and runtime.
purity:
    #!/usr/bin/env bash
    set -euo pipefail
    for banned in diesel actix-web tokio; do
      if cargo tree -p partnerly-domain -e normal,build -i "$banned" 2>/dev/null | grep -q "$banned"; then
        echo "partnerly-domain depends on $banned:"; cargo tree -p partnerly-domain -i "$banned"; exit 1
      fi
    done
    cargo check -q -p partnerly-domain --target wasm32-unknown-unknown
    echo "partnerly-domain is pure (no diesel, actix-web or tokio) and builds for wasm32"
    # The engine knows no HTTP: no web framework, no async runtime, no API crate.
    for banned in actix-web tokio partnerly-api; do
      if cargo tree -p partnerly-engine -e normal,build -i "$banned" 2>/dev/null | grep -q "$banned"; then
        echo "partnerly-engine depends on $banned:"; cargo tree -p partnerly-engine -i "$banned"; exit 1
      fi
    done
    echo "partnerly-engine knows no HTTP (no actix-web, tokio or partnerly-api)"

# The committed OpenAPI document is valid (openapi-spec-validator, in a Python venv under
# .tools made once; the Rust tests check that the server serves exactly this document).
openapi-check:
    #!/usr/bin/env bash
    set -euo pipefail
    venv=.tools/venv
    if [[ ! -x $venv/bin/openapi-spec-validator ]]; then
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet openapi-spec-validator==0.9.0
    fi
    "$venv/bin/openapi-spec-validator" openapi/openapi.json

# The server against its own document: schemathesis over every operation, as a partner,
# an admin and an API key, `--checks all` (scripts/contract.sh; venv under .tools).
contract:
    cargo build -p partnerly-api
    scripts/contract.sh

# Unit and integration tests on SQLite.
test-sqlite:
    #!/usr/bin/env bash
    set -euo pipefail
    if command -v cargo-nextest >/dev/null; then cargo nextest run --no-fail-fast; else cargo test; fi
    cargo test --doc -q
    # The portal's pure helpers (money and date formatting) run on the host too.
    cargo test -q -p partnerly-web

# The integration tests again on PostgreSQL, when it is reachable.
test-postgres:
    #!/usr/bin/env bash
    set -euo pipefail
    if ! pg_isready -q -d "{{pg_url}}" 2>/dev/null && ! psql "{{pg_url}}" -Atc 'select 1' >/dev/null 2>&1; then
      if [[ -n "${CI:-}" || -n "${PARTNERLY_REQUIRE_PG:-}" ]]; then echo "PostgreSQL is not reachable at {{pg_url}}"; exit 1; fi
      echo "PostgreSQL is not reachable at {{pg_url}}: skipping the PostgreSQL run"; exit 0
    fi
    export TEST_DATABASE_URL="{{pg_url}}"
    if command -v cargo-nextest >/dev/null; then cargo nextest run --no-fail-fast -p partnerly-api; else cargo test -p partnerly-api; fi

# Browser tests (Playwright + Debian's Chromium) against the real server.
e2e:
    cargo build -p partnerly-api
    cd e2e && npx playwright test

# Benchmarks (release build): `just bench events`, `just bench redirect` (needs wrk and nginx).
bench what="events":
    cargo bench -p partnerly-api --bench {{what}}

# Regenerate openapi/openapi.json from the code.
openapi:
    cargo run -q -p partnerly-api -- openapi > openapi/openapi.json

# Format the code.
fmt:
    cargo fmt --all
