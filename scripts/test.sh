#!/usr/bin/env bash
# Runs every test of careerdock: unit, property, store and HTTP integration tests on SQLite
# and on a real PostgreSQL 15 cluster (started here, stopped at the end), and browser tests
# in headless Chromium. Installs what it needs from Debian's packages first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-test-deps.sh

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
