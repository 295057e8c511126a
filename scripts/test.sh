#!/usr/bin/env bash
# Runs every check and test: formatting, lints (native and wasm), unit tests, the OpenAPI drift
# test, the end-to-end tests over HTTP on SQLite and (when reachable) PostgreSQL, and the browser
# tests in headless Chromium against the built SPA.
#
# DATABASE_URL names the PostgreSQL server for the second run (default
# postgres://postgres@127.0.0.1:5432/test); each test creates its own database there.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure-tools.sh
started=$SECONDS
iom_ensure_build_tools
if iom_ensure_browser; then
  export IOM_REQUIRE_BROWSER="${IOM_REQUIRE_BROWSER:-1}"
else
  export IOM_REQUIRE_BROWSER="${IOM_REQUIRE_BROWSER:-0}"
fi

say "formatting"
cargo fmt --all -- --check

say "lints (native)"
cargo clippy --all-targets --quiet -- -D warnings
say "lints (web, wasm32)"
cargo clippy -p web --target wasm32-unknown-unknown --quiet -- -D warnings

say "the domain crate stays free of server dependencies on wasm32"
for heavy in sea-orm actix-web sqlx; do
  if cargo tree -p shared --target wasm32-unknown-unknown -e normal -i "$heavy" >/dev/null 2>&1; then
    echo "shared depends on $heavy for wasm32" >&2
    exit 1
  fi
done

say "dependencies: advisories, licences, bans, sources (cargo deny)"
scripts/deny.sh

say "building the web application"
trunk build --release --quiet
say "the web application's size against web/size-budget.toml"
scripts/spa-size.sh

# The independent Open Badges verifier the end-to-end tests run (PyJWT, cryptography).
iom_ensure_badge_verifier

say "tests on SQLite (unit, OpenAPI drift, end-to-end, browser)"
cargo test --quiet

say "the server against its OpenAPI document (schemathesis, fresh demo database)"
scripts/schemathesis.sh

pg_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if psql "$pg_url" -Atqc 'select 1' >/dev/null 2>&1; then
  say "tests on PostgreSQL ($pg_url)"
  # Databases left by earlier runs.
  psql "$pg_url" -Atqc "select 'drop database if exists ' || datname || ';' from pg_database where datname like 'iom\_t\_%'" \
    | psql "$pg_url" -q >/dev/null 2>&1 || true
  IOM_TEST_PG_URL="$pg_url" cargo test --quiet -p e2e
  psql "$pg_url" -Atqc "select 'drop database if exists ' || datname || ';' from pg_database where datname like 'iom\_t\_%'" \
    | psql "$pg_url" -q >/dev/null 2>&1 || true
else
  say "PostgreSQL is not reachable at $pg_url: skipping the PostgreSQL run"
  if [ "${CI:-}" = "true" ]; then echo "CI requires PostgreSQL" >&2; exit 1; fi
fi

say "all checks passed in $((SECONDS - started)) s"
