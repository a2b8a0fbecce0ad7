#!/usr/bin/env bash
# Runs every test of careerdock: unit, property, store and HTTP integration tests on SQLite
# and on a real PostgreSQL 15 cluster (started here, stopped at the end), and browser tests
# in headless Chromium. Installs what it needs from Debian's packages first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-test-deps.sh

# Test databases, the PostgreSQL cluster and the browsers' profiles live in memory (tmpfs) when
# the machine has room there: real files and a real cluster, without waiting for the disk at
# every commit. No test depends on the disk's flush: the crash tests kill processes, not the
# machine. CAREERDOCK_TEST_TMPDIR chooses another folder; TMPDIR already set is kept.
if [ -z "${TMPDIR:-}" ]; then
    tmp=${CAREERDOCK_TEST_TMPDIR:-}
    if [ -z "$tmp" ] && [ -d /dev/shm ] && [ -w /dev/shm ] \
        && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt $((4 * 1024 * 1024)) ]; then
        tmp=/dev/shm/careerdock-tests-$(id -u)
    fi
    if [ -n "$tmp" ]; then
        mkdir -p "$tmp" && chmod 755 "$tmp"
        export TMPDIR=$tmp
    fi
fi

eval "$(scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"' EXIT
echo "test.sh: PostgreSQL cluster at ${CAREERDOCK_TEST_PG_URL}"

# With arguments (a package, a filter…), plain `cargo test` with them; without, every test
# binary side by side (scripts/run-tests.py: one build, then the binaries in parallel lanes).
if [ "$#" -gt 0 ]; then
    cargo test --workspace --all-targets --locked "$@"
else
    python3 scripts/run-tests.py
fi
