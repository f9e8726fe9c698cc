#!/usr/bin/env bash
# Installs what building, running and testing Partnerly need, skipping whatever is
# already present (see ../TOOLCHAIN notes in README "Development"). Safe to run often.
#
#   scripts/setup.sh            # portal toolchain: wasm32 target, trunk, wasm-bindgen, wasm-opt
#   scripts/setup.sh --test     # also Chromium, Playwright, PostgreSQL running
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

say() { printf '\033[1;34m==> %s\033[0m\n' "$*"; }

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, or the portal breaks.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Tools are built once into ~/.cargo/bin; a lean release profile halves the build time.
lean_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install "$@"
}

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes, once)"
  lean_install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  # Not --locked: its lockfile pins a webpki-roots version the registry lacks.
  lean_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# wasm-opt from npm's binaryen (Debian's binaryen 108 produces broken wasm).
if [[ ! -x frontend/node_modules/.bin/wasm-opt ]]; then
  say "installing wasm-opt (npm binaryen)"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v cargo-nextest >/dev/null 2>&1; then
  say "cargo-nextest not found: tests will run with cargo test"
fi

if $want_test; then
  if [[ ! -x /usr/bin/chromium ]]; then
    say "installing Chromium from Debian's packages"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if [[ ! -d e2e/node_modules/@playwright/test ]]; then
    say "installing Playwright (without its browser downloads)"
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  fi
  # PostgreSQL: start the local cluster if it is installed but down.
  if command -v pg_lsclusters >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    cluster=$(pg_lsclusters -h | awk '$3 == 5432 { print $1 " " $2; exit }')
    if [[ -n "$cluster" ]]; then
      say "starting PostgreSQL $cluster"
      # shellcheck disable=SC2086
      pg_ctlcluster --skip-systemctl-redirect $cluster start || true
    fi
  fi
fi
