#!/usr/bin/env bash
# The load benchmark: builds the release server, starts it on a fresh PostgreSQL database and
# then on a fresh SQLite file, each with the demo data plus one route with 30 activities, and
# measures the hot paths with wrk (32 connections, BENCH_SECONDS each, default 10) side by side
# with pgbench running the comparable SQL (scripts/bench/*.sql) on the same database in the
# same run. Prints one table per database: req/s, p50, p99, pgbench tps and the ratio, and the
# server's peak resident memory.
#
#   scripts/bench.sh                 # both databases
#   BENCH_DATABASES=sqlite scripts/bench.sh
#
# BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432) names the PostgreSQL server; the
# database `iom_bench` on it is dropped and created again.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${BENCH_SECONDS:-10}"
conns=32
port="${BENCH_PORT:-18080}"
pg_url="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
databases="${BENCH_DATABASES:-postgres sqlite}"
base="http://127.0.0.1:$port"
target="${CARGO_TARGET_DIR:-$root/target}"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk (Debian package)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi

say "building the release server and the setup client"
# BENCH_SERVER_BIN: measure an already built server instead (e.g. an older revision).
server_bin="${BENCH_SERVER_BIN:-$target/release/iom}"
[ -n "${BENCH_SERVER_BIN:-}" ] || cargo build --release --quiet -p api --bin iom
cargo build --quiet -p e2e --example bench_setup
setup_bin="$target/debug/examples/bench_setup"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_server() { # database url
  IOM_DEMO=1 IOM_BIND="127.0.0.1:$port" IOM_DATA_DIR="$work/data" IOM_DATABASE_URL="$1" \
    IOM_WEB_DIR="$work/no-web" IOM_LOG=warn IOM_JWT_SECRET="bench-secret-not-for-production-use" \
    "$server_bin" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    if curl -fsS "$base/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log" >&2; exit 1; fi
    sleep 0.1
  done
  echo "the server did not start" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# wrk's numbers as "req/s p50 p99 failures"; latencies in ms.
ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "%s", v }'
}
load() { # url token [lua]
  local args=(-t 2 -c "$conns" -d "${seconds}s" --latency)
  [ -n "$2" ] && args+=(-H "Authorization: Bearer $2")
  [ -n "${3:-}" ] && args+=(-s "$3")
  local out
  out="$(wrk "${args[@]}" "$1")"
  local rps p50 p99 bad
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
  p99="$(ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
  bad="$(awk '/Non-2xx or 3xx responses:/ { print $5 }' <<<"$out")"
  echo "$rps $p50 $p99 ${bad:-0}"
}

pgbench_tps() { # database url, sql file, -D assignments…
  local db="$1" file="$2"
  shift 2
  local defs=()
  for d in "$@"; do defs+=(-D "$d"); done
  pgbench -n -c "$conns" -j 2 -T "$seconds" "${defs[@]}" -f "$file" "$db" 2>/dev/null |
    awk '/^tps = / { printf "%.0f", $3 }'
}

declare -A tps
rows=""
row() { # database case result pgbench-key
  local rps p50 p99 bad
  read -r rps p50 p99 bad <<<"$3"
  local t="${tps[$4]:-}" ratio="—"
  if [ -n "$t" ] && [ "$t" != 0 ]; then ratio="$(awk -v a="$rps" -v b="$t" 'BEGIN { printf "%.2f×", a / b }')"; fi
  [ "$bad" != 0 ] && rps="$rps ($bad failed)"
  rows+="| $1 | $2 | $rps | $p50 | $p99 | ${t:-—} | $ratio |"$'\n'
}

rss=""
audit_cost=""
for database in $databases; do
  case "$database" in
    postgres)
      say "PostgreSQL: a fresh database iom_bench"
      psql "$pg_url/postgres" -qAt -c 'DROP DATABASE IF EXISTS iom_bench' -c 'CREATE DATABASE iom_bench' >/dev/null
      url="$pg_url/iom_bench"
      ;;
    sqlite)
      say "SQLite: a fresh file"
      rm -rf "$work/data"
      url="sqlite://$work/data/iom.db?mode=rwc"
      mkdir -p "$work/data"
      ;;
    *) echo "unknown database $database" >&2; exit 1 ;;
  esac
  start_server "$url"
  eval "$(IOM_URL="$base" "$setup_bin")"
  route_url="$base/api/v1/routes/$ROUTE_ID"

  say "$database: wrk, $conns connections, ${seconds} s per case"
  r_route="$(load "$route_url" "$TEACHER_TOKEN")"
  # The same read by someone else: each one is written to the access log the teacher reads.
  r_audited="$(load "$route_url" "$MANAGER_TOKEN")"
  r_comment="$(load "$route_url/comments" "$TEACHER_TOKEN" "$root/scripts/bench/comment.lua")"
  r_sync="$(load "$base/api/v1/sync/routes?limit=100" "$API_KEY")"
  r_me="$(load "$base/api/v1/me" "$TEACHER_TOKEN")"
  r_health="$(load "$base/healthz" "")"
  rss="$rss $database: $(awk '/^VmHWM:/ { printf "%.0f MB", $2 / 1024 }' "/proc/$server_pid/status")"
  stop_server

  if [ "$database" = postgres ]; then
    say "pgbench on the same database, the comparable SQL"
    db="$pg_url/iom_bench"
    teacher="$(psql "$db" -qAt -c "SELECT teacher_id FROM routes WHERE id = '$ROUTE_ID'")"
    region="$(psql "$db" -qAt -c "SELECT region_id FROM routes WHERE id = '$ROUTE_ID'")"
    tps[route]="$(pgbench_tps "$db" scripts/bench/route_read.sql "route='$ROUTE_ID'")"
    tps[write]="$(pgbench_tps "$db" scripts/bench/write.sql "route='$ROUTE_ID'" "teacher='$teacher'")"
    tps[sync]="$(pgbench_tps "$db" scripts/bench/sync_page.sql "region='$region'")"
  fi
  row "$database" "GET /api/v1/routes/{id} (30 activities)" "$r_route" route
  row "$database" "GET /api/v1/routes/{id} by the regional manager (read audited)" "$r_audited" route
  audit_cost+="$database: audited $(awk '{print $1}' <<<"$r_audited") req/s vs own $(awk '{print $1}' <<<"$r_route") req/s = $(awk -v a="$(awk '{print $1}' <<<"$r_audited")" -v b="$(awk '{print $1}' <<<"$r_route")" 'BEGIN { printf "%.2f×", a / b }')"$'\n'
  row "$database" "POST /api/v1/routes/{id}/comments" "$r_comment" write
  row "$database" "GET /api/v1/sync/routes?limit=100" "$r_sync" sync
  row "$database" "GET /api/v1/me" "$r_me" none
  row "$database" "GET /healthz" "$r_health" none
done

echo
echo "| database | case | req/s | p50 ms | p99 ms | pgbench tps | ratio |"
echo "|---|---|---|---|---|---|---|"
printf '%s' "$rows"
echo
echo "server peak RSS:$rss"
echo
echo "the read audit's cost (the route read by the regional manager, audited, against the teacher's own read):"
printf '%s' "$audit_cost"
