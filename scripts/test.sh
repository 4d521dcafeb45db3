#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the whole test suite: installs what is missing,
# checks formatting, builds with warnings as errors, runs every test on SQLite and on a
# throwaway PostgreSQL cluster, then builds and runs the suite again under ASan and UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
scripts/check-format.sh

pgdir=$(mktemp -d /tmp/tasklane-pg.XXXXXX)
chmod 755 "$pgdir"
trap 'scripts/pg-cluster.sh stop "$pgdir"' EXIT
eval "$(scripts/pg-cluster.sh start "$pgdir")"
export TASKLANE_TEST_PG_PASSWORD

# One test more than there are cores: much of the suite waits on timers (reminders falling due,
# pings, the next whole minute), so at one test a core the machine was a third idle (vmstat over
# the ASan run on two cores).
jobs=$(($(nproc) + 1))
run_suite() { # preset, database label
    local preset=$1 label=$2
    echo "== tests: $preset build on $label"
    (cd "build/$preset" && ctest --output-on-failure -j"$jobs" --timeout 600)
}

echo "== build: dev (warnings as errors)"
scripts/build.sh dev
run_suite dev SQLite
TASKLANE_TEST_PG_ADMIN_URL=$TASKLANE_TEST_PG_ADMIN_URL run_suite dev PostgreSQL

echo "== build: asan (AddressSanitizer + UndefinedBehaviorSanitizer)"
scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
run_suite asan SQLite
TASKLANE_TEST_PG_ADMIN_URL=$TASKLANE_TEST_PG_ADMIN_URL run_suite asan PostgreSQL

echo "== all suites passed in $(( $(date +%s) - start )) s"
