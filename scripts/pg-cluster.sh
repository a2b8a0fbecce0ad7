#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster on a free loopback port for one test or bench run.
#   eval "$(scripts/pg-cluster.sh start)"   # exports CAREERDOCK_TEST_PG_URL and PG_CLUSTER_DIR
#   scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR"
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_pg() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    [[ -x "$PG_BIN/initdb" ]] || { echo "pg-cluster: PostgreSQL 15 is not installed at $PG_BIN" >&2; exit 1; }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/careerdock-pg.XXXXXX")
    chmod 755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=64MB -c fsync=on" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "export CAREERDOCK_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres"
    echo "export PG_CLUSTER_DIR=$dir"
    ;;
stop)
    dir=${2:?cluster dir}
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
