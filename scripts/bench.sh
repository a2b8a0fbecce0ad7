#!/usr/bin/env bash
# Prints the benchmark figures on SQLite and on a throwaway PostgreSQL 15 cluster, then the
# pseudonymizer's.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p careerdock
eval "$(scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"' EXIT
bin=${CARGO_TARGET_DIR:-target}/release/careerdock
tmp=$(mktemp -d)
psql_url=${CAREERDOCK_TEST_PG_URL%/postgres}
/usr/lib/postgresql/15/bin/createdb -h 127.0.0.1 -p "${psql_url##*:}" -U postgres bench_audit
/usr/lib/postgresql/15/bin/createdb -h 127.0.0.1 -p "${psql_url##*:}" -U postgres bench_demo
$bin bench audit --on "$tmp/audit.db" --on "$psql_url/bench_audit" "$@"
$bin bench demo --on "$tmp/demo.db" --on "$psql_url/bench_demo"
# The pseudonymizer at 1,200 and 100,000 synthetic people (in memory, no database).
cargo bench --locked -p careerdock-domain --bench pseudonym
rm -rf "$tmp"
