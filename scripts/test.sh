#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, MPI at 1-4 ranks, end to end and
# the Slurm test (all of ctest), a bounded fuzz run (scripts/fuzz.sh), then the unit and MPI tests
# again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/env.sh"
"$here/scripts/install-deps.sh"

echo "== build (RelWithDebInfo) and run all tests"
BUILD_DIR="$here/build" "$here/scripts/build.sh"
(cd "$here/build" && ctest --output-on-failure --timeout 900 -j2)

echo "== fuzz: the CSV record layer and row parsers, bounded time"
"$here/scripts/fuzz.sh" "${BA_FUZZ_SECONDS:-60}"

echo "== sanitizer build (address, undefined): unit tests, then MPI tests at 1-4 ranks"
BUILD_DIR="$here/build-asan" BUILD_TYPE=Debug "$here/scripts/build.sh" -DBA_SANITIZE=ON
(cd "$here/build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 900 -L unit -j2)
# Leak checking is off for the MPI tests: Open MPI leaves about 3,500 allocations of its own
# (none from this project's code) at exit. Memory errors and undefined behaviour still fail them.
(cd "$here/build-asan" && ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 900 -L mpi -j2)
