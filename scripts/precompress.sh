#!/usr/bin/env sh
# Writes a brotli (.br) and a gzip (.gz) copy beside each compressible file of the built SPA,
# which the server sends to browsers that accept them (see api/src/assets.rs). Trunk runs it
# after every release build (Trunk.toml); a debug build skips it.
set -eu
dir="${1:?usage: precompress.sh DIR}"
[ "${TRUNK_PROFILE:-release}" = release ] || exit 0
if ! command -v brotli >/dev/null 2>&1; then
  echo "precompress: brotli is missing (scripts/ensure-tools.sh installs it); writing gzip only" >&2
fi
find "$dir" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \
  -o -name '*.svg' -o -name '*.json' \) | while read -r f; do
  gzip -9 -n -k -f "$f"
  if command -v brotli >/dev/null 2>&1; then brotli -q 11 -k -f "$f"; fi
done
