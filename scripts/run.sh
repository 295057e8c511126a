#!/usr/bin/env bash
# Runs the product: builds the SPA and the server, then serves both on one port over SQLite
# with demo data, printing the URL and the demo sign-ins. Environment variables (IOM_BIND,
# IOM_DATABASE_URL, IOM_DEMO…) are described in README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure-tools.sh
iom_ensure_build_tools

say "building the web application (trunk build --release)"
trunk build --release

say "building and starting the server"
# Demo accounts (a published password) only here, on request; never on an https deployment.
export IOM_DEMO="${IOM_DEMO:-1}"
exec cargo run --release --quiet -p api --bin iom
