#!/usr/bin/env bash
# The SPA's first download: every wasm, JS and CSS file of the release build in dist/ (what the
# browser fetches before the sign-in form appears), raw, gzip and brotli. Fails when the brotli
# total exceeds web/size-budget.toml, so growth is a deliberate change of the budget.
#
#   trunk build --release && scripts/spa-size.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${1:-dist}"
budget="$(awk -F= '/^first_download_brotli_bytes/ { gsub(/[ _]/, "", $2); print $2 }' web/size-budget.toml)"
size() { wc -c | tr -d ' '; }
total_raw=0 total_gz=0 total_br=0
printf '%-44s %10s %10s %10s\n' file raw gzip brotli
# The JS snippets Trunk copies into subdirectories are imported by the loader, so they count.
mapfile -t files < <(find "$dist" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) | sort)
if [ ${#files[@]} -eq 0 ]; then
  echo "no built SPA in $dist: run trunk build --release" >&2
  exit 1
fi
for f in "${files[@]}"; do
  raw=$(size <"$f")
  gz=$(gzip -9 -n -c "$f" | size)
  if command -v brotli >/dev/null 2>&1; then br=$(brotli -q 11 -c "$f" | size); else br=$gz; fi
  printf '%-44s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
done
printf '%-44s %10d %10d %10d\n' "first download" "$total_raw" "$total_gz" "$total_br"
if [ "$total_br" -gt "$budget" ]; then
  echo "the SPA's first download is $total_br B brotli, over the budget of $budget B (web/size-budget.toml)" >&2
  exit 1
fi
echo "within the budget of $budget B brotli"
