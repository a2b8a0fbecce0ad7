#!/usr/bin/env bash
# Issue 11, item 5: `careerdock bench proof` (release build) on SQLite, then on a throwaway
# PostgreSQL 15 cluster: load on the real server, audited reads against single-row commits, the
# register's import against sqlite3's .import, the overall report against DuckDB and its PDF, all
# printed side by side, each run ending with its table of figure, value, goal and PASS/MISS.
#
#   scripts/bench-proof.sh                       # 100,000 employees × 5 cycles, 64 connections, 30 s
#   scripts/bench-proof.sh --seconds 10          # any `bench proof` flag is passed on
#   BENCH_PROOF_DIR=/tmp/proof scripts/bench-proof.sh   # keep the SQLite database (and reuse its tenant)
set -euo pipefail
cd "$(dirname "$0")/.."

# sqlite3 (the import's yardstick) from Debian, when missing.
if ! command -v sqlite3 >/dev/null; then
    SUDO=()
    [[ $(id -u) -ne 0 ]] && SUDO=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get install -y --no-install-recommends sqlite3 || {
        "${SUDO[@]}" apt-get update
        "${SUDO[@]}" apt-get install -y --no-install-recommends sqlite3
    }
fi

cargo build --release --locked -p careerdock
bin=${CARGO_TARGET_DIR:-target}/release/careerdock
if [[ -n "${BENCH_PROOF_DIR:-}" ]]; then
    dir=$BENCH_PROOF_DIR
    mkdir -p "$dir"
    keep=1
else
    dir=$(mktemp -d)
    keep=0
fi
cleanup() {
    [[ -n "${PG_CLUSTER_DIR:-}" ]] && scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"
    ((keep)) || rm -rf "$dir"
}
trap cleanup EXIT

echo "=================== bench proof on SQLite ($dir/proof.db)"
"$bin" --db "$dir/proof.db" bench proof "$@"

# The cluster on disk (not a tmpfs TMPDIR): the durable commits are part of what is measured.
eval "$(TMPDIR=/tmp scripts/pg-cluster.sh start)"
pg_url=${CAREERDOCK_TEST_PG_URL%/postgres}
/usr/lib/postgresql/15/bin/createdb -h 127.0.0.1 -p "${pg_url##*:}" -U postgres bench_proof
echo "=================== bench proof on PostgreSQL 15 (throwaway cluster)"
"$bin" --db "$pg_url/bench_proof" --key-file "$dir/pg.key" bench proof "$@"
