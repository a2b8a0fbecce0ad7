#!/usr/bin/env bash
# The long form of the crash test (issue 11, item 1; docs/reliability.md): the release server
# killed with SIGKILL at random moments under concurrent API writes, SQLITE_CYCLES times on a
# SQLite file and PG_CYCLES times on PostgreSQL; `keys rotate` and `import employees` killed
# midway, again and again. The test command runs the same tests briefly with the debug binary.
#
#   scripts/crash-test.sh [SQLITE_CYCLES [PG_CYCLES]]     (default: 50 and 20)
#
# CAREERDOCK_CRASH_SEED=N replays the kill moments of an earlier run (each run prints its seed).
set -euo pipefail
cd "$(dirname "$0")/.."
SQLITE_CYCLES="${1:-50}"
PG_CYCLES="${2:-20}"

scripts/ensure-test-deps.sh
cargo build --release --locked -p careerdock
BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/careerdock"

eval "$(scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"' EXIT

run() {
    local cycles="$1" backend="$2"
    echo "crash-test: ${backend}, ${cycles} kill cycles, server ${BIN}"
    CAREERDOCK_CRASH_BIN="$BIN" CAREERDOCK_CRASH_CYCLES="$cycles" \
        cargo test --locked -p careerdock --test cli -- --exact --nocapture --test-threads 1 \
        "crash_cycles_lose_nothing::${backend}" \
        "keys_rotate_killed_midway_resumes::${backend}" \
        "import_killed_midway_is_all_or_nothing::${backend}"
}
start=$(date +%s)
run "$SQLITE_CYCLES" sqlite
run "$PG_CYCLES" postgres
CAREERDOCK_CRASH_BIN="$BIN" cargo test --locked -p careerdock --test cli -- --exact --nocapture \
    two_servers_share_one_postgresql::postgres
echo "crash-test: done in $(( $(date +%s) - start )) s"
