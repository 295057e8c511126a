#!/usr/bin/env bash
# Checks the dependency tree with cargo-deny against deny.toml: RustSec advisories
# (vulnerabilities, unmaintained and unsound crates, yanked versions), licences, banned and
# duplicated crates, and sources (crates.io only).
#
# The advisory database is fetched from its git host when reachable. Otherwise it is read from
# a local snapshot of it: IOM_ADVISORY_DB (default: ../shared/advisory-db next to the
# checkout), copied into cargo-deny's database folder as a git repository.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
. scripts/ensure-tools.sh
iom_ensure_cargo_deny

db_url="https://github.com/rustsec/advisory-db"
args=()
if ! timeout 15 git ls-remote --quiet "$db_url" HEAD >/dev/null 2>&1; then
  snapshot="${IOM_ADVISORY_DB:-$root/../shared/advisory-db}"
  if [ ! -d "$snapshot/crates" ]; then
    # Without any copy of the database only the advisories cannot be checked; the rest still is.
    say "WARNING: the advisory database is unreachable and there is no snapshot at $snapshot" \
      "(set IOM_ADVISORY_DB): checking licences, bans and sources only"
    exec cargo deny --offline --log-level warn check licenses bans sources
  fi
  say "advisory database unreachable: using the snapshot at $snapshot ($(cat "$snapshot/SNAPSHOT" 2>/dev/null || echo 'undated'))"
  # cargo-deny keeps each database in <db-path>/<name>-<hash of the url>; it reads a git
  # checkout there when offline (the name is cargo-deny's for the default database URL).
  dbs="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
  dir="$dbs/advisory-db-3157b0e258782691"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -a "$snapshot/." "$dir/"
  rm -rf "$dir/.git"
  git -C "$dir" init --quiet
  git -C "$dir" add -A
  git -C "$dir" -c user.name=snapshot -c user.email=snapshot@localhost commit --quiet -m snapshot
  args+=(--offline)
fi
cargo deny "${args[@]}" --log-level warn check advisories licenses bans sources
