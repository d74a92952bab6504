#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for N seconds each, starting from its seed
# corpus (new inputs go to a scratch copy, so the committed corpus only grows by hand).
# Usage: scripts/run-fuzzers.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=${1:?build dir}
secs=${2:-60}
shopt -s nullglob
lists=("$build"/fuzzers/*.txt)
[ ${#lists[@]} -gt 0 ] || { echo "run-fuzzers: no fuzz targets in $build"; exit 0; }
fail=0
for f in "${lists[@]}"; do
  read -r bin corpus < "$f"
  name=$(basename "$bin")
  work=$(mktemp -d "/tmp/nvabgpd-fuzz-$name.XXXXXX")
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "fuzz: $name for ${secs}s (seed corpus: $(ls "$work" | wc -l) inputs)"
  if ! "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
       -artifact_prefix="$work/" "$work" > "$work.log" 2>&1; then
    echo "fuzz: $name FAILED; log and crash inputs in $work.log $work/"
    tail -40 "$work.log"
    fail=1
  else
    grep -E 'stat::number_of_executed_units|cov:' "$work.log" | tail -2 | sed "s/^/fuzz: $name: /"
    rm -rf "$work" "$work.log"
  fi
done
exit $fail
