#!/usr/bin/env bash
# The README's test command: installs Debian dependencies, builds, fuzzes every parser and
# runs every unit and integration test. Needs root (network namespaces for real peers).
# Environment: BUILD_DIR (default build), FUZZ_SECONDS (default 60; 0 skips fuzzing),
# FORMAT_BASE (unset: every C++ file must match .clang-format; a git ref: only the files changed
# since it, see scripts/check-format.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
fuzz_secs=${FUZZ_SECONDS:-60}
jobs=$(nproc)

scripts/install-deps.sh

# The formatting check is quick: run it first so its findings show early, but let the build and
# the tests run too; a finding fails the run at the end.
scripts/check-format.sh ${FORMAT_BASE:+"$FORMAT_BASE"} || format_failed=1

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$jobs"

if [ "$fuzz_secs" != 0 ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNVABGPD_FUZZ=ON -DNVABGPD_BENCH=OFF -DNVABGPD_WERROR=OFF
  cmake --build "$build-fuzz" --target fuzz-all -j"$jobs"
  scripts/run-fuzzers.sh "$build-fuzz" "$fuzz_secs" || fuzz_failed=1
fi

# Last, so its summary is the closing line. A fuzz or formatting finding fails the run after
# the tests.
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 900
if [ "${fuzz_failed:-0}" = 1 ]; then
  echo "test.sh: the tests passed but a fuzz target found a problem (see above)" >&2
  exit 1
fi
if [ "${format_failed:-0}" = 1 ]; then
  echo "test.sh: the tests passed but some C++ files are not clang-formatted" \
    "(scripts/check-format.sh)" >&2
  exit 1
fi
