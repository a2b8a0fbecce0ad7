#!/usr/bin/env bash
# Walks the overall report's reading paths as HR against `careerdock serve` and prints, per
# page, the wall time, the response's size and the server's peak RSS (VmHWM) while answering it
# (the peak is reset before each request through /proc/<pid>/clear_refs), then the walk's peak.
#
#   scripts/bench/walk-overall.sh BIN DB [REPEAT]
#
# BIN: a careerdock binary; DB: a SQLite file made by `careerdock bench overall --db DB` (its
# key beside it as DB.key), tenant bench-overall, login hr. Work on a copy: serving a database
# upgrades it to the binary's schema and tidies it (a released version's kept preview is
# cleared). REPEAT (default 2): requests per page; the table shows the last one and the highest
# peak.
set -euo pipefail
bin=$1
db=$2
repeat=${3:-2}
tenant=bench-overall
login=hr
password=bench-overall-password
tmp=$(mktemp -d)
cleanup() {
    if [[ -n "${pid:-}" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
key=()
[[ -f "$db.key" ]] && key=(--key-file "$db.key")
"$bin" --db "$db" "${key[@]}" serve --listen 127.0.0.1:0 2>"$tmp/serve.log" &
pid=$!
base=
for _ in $(seq 1 1200); do
    base=$(grep -o 'serving http://[0-9.:]*' "$tmp/serve.log" | head -1 | sed 's/serving //' || true)
    [[ -n "$base" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
    sleep 0.1
done
[[ -n "$base" ]] || { echo "serve did not start" >&2; exit 1; }
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
echo "binary: $bin"
echo "database: $db"
echo "server: pid $pid at $base; after start: VmRSS $(( $(kb VmRSS) / 1024 )) MB, VmHWM $(( $(kb VmHWM) / 1024 )) MB"
jar=$tmp/cookies
csrf=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "tenant=$tenant" --data-urlencode "login=$login" \
    --data-urlencode "password=$password" --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "$base/login")
[[ $code == 303 || $code == 302 ]] || { echo "sign-in answered $code" >&2; exit 1; }
list=$(curl -s -b "$jar" "$base/overall-reports")
id=$(grep -o 'href="/overall-reports/[0-9]*"' <<<"$list" | head -1 | grep -o '[0-9]*')
[[ -n "$id" ]] || { echo "no released overall report on /overall-reports" >&2; exit 1; }
page=$(curl -s -b "$jar" "$base/overall-reports/$id")
# The first department of the page with a drill-down link (none before the drill-down existed).
dept=$( (grep -o 'href="/overall-reports/'"$id"'?by=department&[^"]*dept=[^"]*"' <<<"$page" || true) | head -1 | sed 's/.*dept=//; s/"$//')
paths=(
    /
    /overall-reports
    "/overall-reports/$id"
    "/overall-reports/$id?by=department"
)
[[ -n "$dept" ]] && paths+=("/overall-reports/$id?by=department&dept=$dept")
paths+=(
    "/overall-reports/$id?by=age&by=grade"
    "/overall-reports/$id?by=department&by=age"
    /api/v1/reports/overall
    "/api/v1/reports/overall?by=department"
    "/overall-reports/$id/report.csv"
    "/overall-reports/$id/report.pdf?by=age"
    /management-reports/new
)
printf '%-58s %8s %12s %6s %10s\n' page seconds bytes status 'peak MB'
walk_peak=0
for path in "${paths[@]}"; do
    peak=0
    for _ in $(seq 1 "$repeat"); do
        echo 5 >"/proc/$pid/clear_refs"
        out=$(curl -s -o "$tmp/body" -b "$jar" -w '%{time_total} %{size_download} %{http_code}' "$base$path")
        hwm=$(( $(kb VmHWM) / 1024 ))
        (( hwm > peak )) && peak=$hwm
    done
    (( peak > walk_peak )) && walk_peak=$peak
    read -r secs bytes status <<<"$out"
    printf '%-58s %8s %12s %6s %10s\n' "$path" "$secs" "$bytes" "$status" "$peak"
done
echo "walk: highest peak RSS (VmHWM) $walk_peak MB; now VmRSS $(( $(kb VmRSS) / 1024 )) MB"
