#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for N seconds each (two at a time on two cores),
# starting from its seed corpus (new inputs go to a scratch copy, so the committed corpus only
# grows by hand). Exits non-zero if any target found a crash, leak or sanitizer report.
# Usage: scripts/run-fuzzers.sh BUILD_DIR [SECONDS] [PARALLEL]
set -euo pipefail
build=${1:?build dir}
secs=${2:-60}
par=${3:-$(nproc)}
shopt -s nullglob
lists=("$build"/fuzzers/*.txt)
[ ${#lists[@]} -gt 0 ] || { echo "run-fuzzers: no fuzz targets in $build"; exit 0; }

fuzz_one() {
  local list=$1 secs=$2 bin corpus name work
  read -r bin corpus < "$list"
  name=$(basename "$bin")
  work=$(mktemp -d "/tmp/nvabgpd-fuzz-$name.XXXXXX")
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  if "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
       -artifact_prefix="$work/" "$work" > "$work.log" 2>&1; then
    echo "fuzz: $name: ${secs}s, $(grep -oE 'number_of_executed_units: [0-9]+' "$work.log" | cut -d' ' -f2) runs, seed corpus $(ls "$corpus" 2>/dev/null | wc -l), no findings"
    rm -rf "$work" "$work.log"
  else
    echo "fuzz: $name FAILED; log and crash inputs in $work.log $work/"
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$work.log" | head -10
    return 1
  fi
}
export -f fuzz_one
printf '%s\n' "${lists[@]}" | xargs -P "$par" -I{} bash -c 'fuzz_one "$@"' _ {} "$secs"
