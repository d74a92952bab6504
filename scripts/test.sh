#!/usr/bin/env bash
# The README's test command: installs Debian dependencies, builds, fuzzes every parser and
# runs every unit and integration test. Needs root (network namespaces for real peers).
# Environment: BUILD_DIR (default build), FUZZ_SECONDS (default 60; 0 skips fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
fuzz_secs=${FUZZ_SECONDS:-60}
jobs=$(nproc)

scripts/install-deps.sh

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$jobs"

if [ "$fuzz_secs" != 0 ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNVABGPD_FUZZ=ON -DNVABGPD_BENCH=OFF -DNVABGPD_WERROR=OFF
  cmake --build "$build-fuzz" --target fuzz-all -j"$jobs"
  scripts/run-fuzzers.sh "$build-fuzz" "$fuzz_secs"
fi

# Last, so its summary is the closing line.
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 900
