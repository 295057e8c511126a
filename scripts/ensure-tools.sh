#!/usr/bin/env bash
# Installs what building the SPA (and, with --browser, testing it) needs, only when missing:
# the wasm32 target, trunk, wasm-bindgen-cli at the Cargo.lock version, binaryen's wasm-opt
# (from npm: Debian's older wasm-opt silently breaks the build), brotli, Chromium and
# chromedriver, cargo-deny, and schemathesis and the badge verifier's PyJWT (into a Python virtual
# environment under .tools/).
# Source it (". scripts/ensure-tools.sh") so PATH changes stay in the caller.
set -euo pipefail

IOM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
SCHEMATHESIS_VERSION="4.32.5"
PYJWT_VERSION="2.15.1"
CRYPTOGRAPHY_VERSION="50.0.2"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

iom_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$IOM_ROOT/Cargo.lock"
}

iom_ensure_build_tools() {
  export PATH="$HOME/.cargo/bin:$IOM_ROOT/.tools/node_modules/.bin:$PATH"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION (several minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  local wb
  wb="$(iom_wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
    say "installing wasm-bindgen-cli $wb (a few minutes, once)"
    # --locked fails for this crate here; the version pin is what matters.
    cargo install wasm-bindgen-cli --version "$wb"
  fi
  if ! "$IOM_ROOT/.tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "installing binaryen@$BINARYEN_VERSION (wasm-opt) into .tools/"
    mkdir -p "$IOM_ROOT/.tools"
    npm install --silent --no-audit --no-fund --prefix "$IOM_ROOT/.tools" "binaryen@$BINARYEN_VERSION" >&2
  fi
  # Brotli copies of the built SPA (scripts/precompress.sh); a Debian package.
  if ! command -v brotli >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing brotli (Debian package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli >&2 || true
  fi
  # Trunk runs cargo offline: make sure every crate is downloaded.
  (cd "$IOM_ROOT" && cargo fetch --quiet)
}

iom_ensure_cargo_deny() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! cargo deny --version >/dev/null 2>&1; then
    say "installing cargo-deny (a few minutes, once)"
    cargo install cargo-deny --locked
  fi
}

# The tools' Python environment, .tools/venv, made when missing.
iom_tools_venv() {
  local venv="$IOM_ROOT/.tools/venv"
  if [ -x "$venv/bin/python3" ]; then return 0; fi
  mkdir -p "$IOM_ROOT/.tools"
  # Python 3.11.7 and older 3.11 releases crash inside schemathesis' generator ("AST constructor
  # recursion depth mismatch"); a newer interpreter is taken when there is one.
  local py=python3
  for candidate in python3.13 python3.12 "$(pyenv root 2>/dev/null)"/versions/3.1[23]*/bin/python3; do
    if "$candidate" --version >/dev/null 2>&1; then py="$candidate"; break; fi
  done
  "$py" -m venv "$venv"
}

iom_ensure_schemathesis() {
  local venv="$IOM_ROOT/.tools/venv"
  if [ "$("$venv/bin/schemathesis" --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into .tools/venv"
    iom_tools_venv
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
  fi
}

# The independent verifier of the Open Badges credentials (scripts/verify-badge.py) needs only
# PyJWT and cryptography; the end-to-end tests run it against a live server.
iom_ensure_badge_verifier() {
  local venv="$IOM_ROOT/.tools/venv"
  if ! "$venv/bin/python3" -c "import cryptography, jwt; assert jwt.__version__ == '$PYJWT_VERSION'" >/dev/null 2>&1; then
    say "installing PyJWT $PYJWT_VERSION and cryptography $CRYPTOGRAPHY_VERSION into .tools/venv"
    iom_tools_venv
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "PyJWT==$PYJWT_VERSION" "cryptography==$CRYPTOGRAPHY_VERSION" >&2
  fi
}

iom_ensure_browser() {
  # poppler-utils: the document tests read generated PDFs back with pdftotext.
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
    && command -v pdftotext >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing chromium, chromium-driver and poppler-utils (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils >&2
  else
    say "chromium/chromedriver are missing and cannot be installed here (need root and apt-get)"
    return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  iom_ensure_build_tools
  if [ "${1:-}" = "--browser" ]; then iom_ensure_browser; fi
fi
