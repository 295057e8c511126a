#!/usr/bin/env bash
# Checks that the server is what its OpenAPI document says: schemathesis generates requests from
# the document (valid ones and ones that break it) for every operation and checks every answer
# (`--checks all`: no server errors, only documented statuses, content types, headers and
# bodies, invalid requests refused, valid ones accepted, 405 with `Allow` for other methods,
# authentication not ignored…).
#
# It builds the server, starts it on a fresh SQLite database with the demo data, signs in as the
# regional manager, runs schemathesis against it, and stops the server. Schemathesis is
# installed into a virtual environment under .tools/ when missing.
#
# SCHEMATHESIS_EXAMPLES (default 5) is the number of generated cases per operation;
# SCHEMATHESIS_SEED fixes the generation to repeat a run.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
. scripts/ensure-tools.sh
iom_ensure_schemathesis
venv="$root/.tools/venv"

say "building the server"
cargo build --quiet -p api --bin iom
server="${CARGO_TARGET_DIR:-$root/target}/debug/iom"

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

say "starting the server on a fresh demo database ($base)"
IOM_DEMO=1 IOM_DATA_DIR="$data" IOM_BIND="127.0.0.1:$port" IOM_WEB_DIR="$data/no-web" \
  IOM_LOG=warn "$server" >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "$base/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$data/server.log" >&2; exit 1; fi
  sleep 0.5
done
curl -fsS "$base/readyz" >/dev/null

token="$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"email":"manager@iom.test","password":"demo12345"}' "$base/api/v1/auth/login" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

say "schemathesis as the regional manager"
args=(
  run "$base/api/openapi.json"
  --url "$base"
  --checks all
  --max-examples "${SCHEMATHESIS_EXAMPLES:-5}"
  --workers 2
  --request-timeout 20
  --header "Authorization: Bearer $token"
  --no-shrink
  # Signing out and changing the password would end the session every other request uses.
  --exclude-path /api/v1/auth/logout
  --exclude-path /api/v1/me/password
)
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then args+=(--seed "$SCHEMATHESIS_SEED"); fi
status=0
"$venv/bin/schemathesis" --config-file scripts/schemathesis.toml "${args[@]}" || status=$?
if [ "$status" != 0 ]; then
  say "server log (last lines)"
  tail -n 40 "$data/server.log" >&2
fi
exit "$status"
