#!/usr/bin/env bash
# Fuzzes the real JSON API end to end with schemathesis (docs/fuzzing.md, "The API over HTTP").
#
#   scripts/schemathesis.sh --ci          the brief form the test command runs: 5 generated
#                                         examples per operation and role, fixed seed
#   scripts/schemathesis.sh [SECONDS]     the long form: every phase repeated for SECONDS per role
#                                         (default 300), a new seed each run
#   scripts/schemathesis.sh --examples N  N generated examples per operation and role
#   scripts/schemathesis.sh ... ROLE...   some roles only (consultant supervisor hr executive boss
#                                         health employee admin)
#
# A careerdock server (the debug build, target/debug/careerdock, which the test build makes;
# built here when missing, or by hand when older than the sources) serves a fresh demo company in
# a temporary SQLite database (never the repository's careerdock.db) on a free loopback port.
# Each role acts as its demo login: through an API token, or for the employee (who holds none)
# through a session signed in on the form. schemathesis reads /api/v1/openapi.json and sends each
# operation the role may call (crates/web/tests/route_roles.tsv) generated requests, valid and
# invalid, partly built from the real ids the role sees (scripts/schemathesis-data.py), and checks
# every answer: no 5xx, a status the document lists for the operation, a body matching the
# documented schema, the documented content type and headers. The server's log must hold no
# panic and no error. Then the server stops, the temporary folder goes, and the script fails
# when anything failed. SCHEMATHESIS_SEED replays a seed.
#
# schemathesis comes from PyPI, pinned, into a venv under ~/.cache/careerdock/ (once; then
# reused). Exceptions to the checks (false positives) would go in scripts/schemathesis.toml, each
# with its reason. Each run's log and JUnit report are kept under
# $CAREERDOCK_SCHEMATHESIS_REPORTS, default target/schemathesis/, with the server's log.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SCHEMATHESIS_VERSION=4.32.5
ALL_ROLES=(consultant supervisor hr executive boss health employee admin)

ci=false
seconds=300
examples=
roles=()
while [ $# -gt 0 ]; do
    case "$1" in
        --ci) ci=true ;;
        --examples) examples=${2:?--examples needs a number}; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        ''|*[!0-9]*) roles+=("$1") ;;
        *) seconds=$1 ;;
    esac
    shift
done
[ ${#roles[@]} -gt 0 ] || roles=("${ALL_ROLES[@]}")
for r in "${roles[@]}"; do
    case " ${ALL_ROLES[*]} " in *" $r "*) ;; *) echo "schemathesis.sh: unknown role '$r' (one of: ${ALL_ROLES[*]})" >&2; exit 2 ;; esac
done

start=$(date +%s)

# ---------------------------------------------------------------- schemathesis, once
cache=${XDG_CACHE_HOME:-$HOME/.cache}/careerdock
venv=$cache/schemathesis-venv
st=$venv/bin/schemathesis
mkdir -p "$cache"
(
    # Two runs at once install once.
    flock 9
    if ! [ -x "$st" ] || [ "$("$st" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
        echo "schemathesis.sh: installing schemathesis $SCHEMATHESIS_VERSION into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        # Once more after a pause: a registry's hiccup is not a finding.
        "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
            || { sleep 10; "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; }
    fi
) 9>"$cache/schemathesis-venv.lock"
"$st" --version >/dev/null

# ---------------------------------------------------------------- the server's binary
target=${CARGO_TARGET_DIR:-$ROOT/target}
bin=$target/debug/careerdock
# The test build (scripts/run-tests.py) has just built it; by hand, a missing or stale one is built.
newer=$(find crates -path '*/tests' -prune -o \( -name '*.rs' -o -name '*.ftl' -o -name '*.html' -o -name '*.sql' \
    -o -name Cargo.toml \) -newer "$bin" -print -quit 2>/dev/null || true)
if ! [ -x "$bin" ] || [ -n "$newer" ]; then
    if $ci && [ -x "$bin" ]; then
        echo "schemathesis.sh: $bin is older than $newer (and maybe more); using it as it is (--ci)"
    else
        cargo build --locked -p careerdock
    fi
fi

# ---------------------------------------------------------------- a fresh demo, served
# Nothing of the caller's setup may point the commands elsewhere (the repo's careerdock.db, a
# PostgreSQL URL, an SMTP server): every command gets --db and --key-file in the temporary folder.
unset CAREERDOCK_DATABASE_URL CAREERDOCK_DATABASE_URL_FILE CAREERDOCK_KEY_FILE CAREERDOCK_DATA_KEY \
    CAREERDOCK_DATA_KEY_FILE CAREERDOCK_LISTEN CAREERDOCK_SMTP_URL CAREERDOCK_SMTP_URL_FILE \
    CAREERDOCK_SMTP_PASSWORD CAREERDOCK_SMTP_PASSWORD_FILE CAREERDOCK_MAIL_FROM CAREERDOCK_PUBLIC_URL \
    CAREERDOCK_BEHIND_PROXY CAREERDOCK_SECURE_COOKIES
work=$(mktemp -d "${TMPDIR:-/tmp}/careerdock-schemathesis.XXXXXX")
reports=${CAREERDOCK_SCHEMATHESIS_REPORTS:-$target/schemathesis}
mkdir -p "$reports"
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
# Whatever ends the script (a failure, Ctrl-C, run-tests.py's end) stops the server.
trap cleanup EXIT
trap 'exit 130' INT TERM

cd_cmd() { "$bin" --db "$work/demo.db" --key-file "$work/demo.db.key" "$@"; }
# A small company: the API's operations, not the data's size, are under test.
cd_cmd demo --no-serve --employees 300 >"$work/demo.log" 2>&1 || { cat "$work/demo.log"; exit 1; }

# The demo login holding each role (README.md, "demo"). Each role but employee acts through an
# API token (`careerdock token create`), made before the server starts; employees hold no API
# token, so the employee signs in on the form, as a person would, and sends the session's cookie
# and CSRF token. The token revoking operation gets a token of its own (see below).
login_of() {
    case "$1" in
        consultant) echo consultant1 ;;
        *) echo "$1" ;;
    esac
}
declare -A auth
for r in "${roles[@]}"; do
    [ "$r" = employee ] && continue
    auth[$r]="Authorization: Bearer $(cd_cmd token create --tenant demo --login "$(login_of "$r")" --role "$r" --name schemathesis)"
done
# DELETE /api/v1/tokens/{id} may revoke the very token it is sent with ("a token may revoke
# itself"), after which every request answers 401: it runs last, with a token of its own and
# two spare ones of the same account to find.
revoker=
if [ -n "${auth[admin]:-}" ]; then
    revoker="Authorization: Bearer $(cd_cmd token create --tenant demo --login admin --role admin --name schemathesis-revoke)"
    cd_cmd token create --tenant demo --login admin --role admin --name spare-1 >/dev/null
    cd_cmd token create --tenant demo --login admin --role admin --name spare-2 >/dev/null
fi

# The binary itself in the background, not through cd_cmd: $! must be the server's own process,
# which the clean-up stops (a function would leave a subshell's pid, and the server running).
"$bin" --db "$work/demo.db" --key-file "$work/demo.db.key" serve --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
base=
for _ in $(seq 300); do
    base=$(sed -n 's|.*serving \(http://[0-9.:]*\)/.*|\1|p' "$work/server.log" | head -1)
    [ -n "$base" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$base" ]; then
    echo "schemathesis.sh: the server did not start:"
    cat "$work/server.log"
    exit 1
fi
if [[ " ${roles[*]} " == *" employee "* ]]; then
    auth[employee]=$("$venv/bin/python" scripts/schemathesis-data.py sign-in "$base" demo employee demo-password)
fi
"$venv/bin/python" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=30).read())' \
    "$base/api/v1/openapi.json" >"$work/openapi.json"
ready=$(date +%s)
echo "schemathesis.sh: a fresh demo company (300 employees) served at $base after $((ready - start)) s"

# ---------------------------------------------------------------- the operations of each role
# What each role may call, from the routes' role table (the same one the HTTP tests hold the
# server to), and the health check; schemathesis names an operation "METHOD /path".
operations_of() {
    awk -F'\t' -v role="$1" '
        /^#/ { next }
        $1 == "method" { for (i = 3; i <= NF; i++) if ($i == role) col = i; next }
        col && ($2 ~ /^\/api\/v1\// || $2 == "/healthz") && $2 != "/api/v1/openapi.json" && $col == "allow" { print $1 " " $2 }
    ' crates/web/tests/route_roles.tsv
}

# ---------------------------------------------------------------- schemathesis, role by role
# not_a_server_error: no 5xx. status_code_conformance: a status the operation documents.
# response_schema_conformance: the body matches the documented schema. content_type_conformance
# and response_headers_conformance: the documented content type and headers.
# negative_data_rejection: a request the document calls invalid is refused (4xx).
# ignored_auth and missing_required_header: without the token, or with a made-up one, 401.
checks=not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance
checks+=,response_headers_conformance,negative_data_rejection,ignored_auth,missing_required_header
if $ci; then
    seed=${SCHEMATHESIS_SEED:-20261206}
else
    seed=${SCHEMATHESIS_SEED:-$RANDOM$RANDOM}
fi
failed=()
summary=()
total_ops=0
total_cases=0
# run LABEL HEADERS OPERATION... : one schemathesis run, its result kept for the summary.
run() {
    local label=$1 headers=$2
    shift 2
    local ops=("$@") include=() limit=() header_args=() role_checks=$checks security=()
    if [ "$label" = employee ]; then
        # The employee's credentials are a session cookie, which the document's bearer scheme
        # does not describe: schemathesis would "leave out the credentials" by leaving out an
        # Authorization header never sent, and count the 200 that follows as ignored auth.
        role_checks=${checks/,ignored_auth,missing_required_header/}
        security=(--generation-with-security-parameters false)
    fi
    for op in "${ops[@]}"; do include+=(--include-name "$op"); done
    while IFS= read -r h; do [ -n "$h" ] && header_args+=(--header "$h"); done <<<"$headers"
    printf '%s\n' "${ops[@]}" >"$work/$label.ops"
    SCHEMATHESIS_HEADERS=$headers "$venv/bin/python" scripts/schemathesis-data.py config \
        "$base" "$work/openapi.json" "$work/$label.ops" scripts/schemathesis.toml "$work/$label.toml" >"$work/$label.data.log" 2>&1 \
        || { cat "$work/$label.data.log"; failed+=("$label"); return; }
    if [ -n "$examples" ]; then
        limit=(--max-examples "$examples")
    elif $ci; then
        # A count, not a time: the same requests on every machine, however loaded. Five, not
        # more: the run shares two cores with the test jobs, and at 20 it took 532 s of a lane
        # in `.ci/run` (docs/fuzzing.md); the long form is where the volume is.
        limit=(--max-examples 5)
    else
        # Every phase, repeated until the time is spent.
        limit=(--max-time "$seconds")
    fi
    local began rc guard=$((seconds * 2 + 600))
    $ci && guard=300
    began=$(date +%s)
    set +e
    # `timeout`: a server that stops answering must fail the run, not hang it.
    timeout --kill-after=10 "$guard" "$st" --config-file "$work/$label.toml" run "$base/api/v1/openapi.json" \
        "${header_args[@]}" --checks "$role_checks" "${security[@]}" "${include[@]}" "${limit[@]}" \
        --workers 1 --seed "$seed" --request-timeout 30 --generation-database none \
        --report junit --report-junit-path "$reports/$label.junit.xml" --report-dir "$reports" \
        --no-color >"$work/$label.log" 2>&1
    rc=$?
    set -e
    local took=$(( $(date +%s) - began ))
    cp "$work/$label.log" "$reports/$label.log"
    local cases
    cases=$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$work/$label.log" | tail -1)
    local result
    result=$(grep -E '^=+ .* in [0-9.]+s =+$' "$work/$label.log" | tail -1 | sed 's/^=* //; s/ =*$//')
    summary+=("$(printf '%-11s %3d operations  %6s cases  %4d s  %s' "$label" "${#ops[@]}" "${cases:-?}" "$took" "${result:-exit $rc}")")
    total_ops=$((total_ops + ${#ops[@]}))
    total_cases=$((total_cases + ${cases:-0}))
    if [ $rc -ne 0 ]; then
        echo "===== schemathesis.sh: $label FAILED (exit $rc); the log is $reports/$label.log ====="
        cat "$work/$label.log"
        failed+=("$label")
    fi
}

for r in "${roles[@]}"; do
    mapfile -t ops < <(operations_of "$r" | grep -v '^DELETE /api/v1/tokens/{id}$')
    if [ ${#ops[@]} -gt 0 ]; then run "$r" "${auth[$r]}" "${ops[@]}"; fi
done
if [ -n "$revoker" ]; then
    run tokens "$revoker" "DELETE /api/v1/tokens/{id}" "GET /api/v1/tokens"
fi

# What schemathesis cannot see: a panic answered as a 500 it has already counted, or an error
# the server logged while answering something else.
if grep -qE 'panicked| ERROR ' "$work/server.log"; then
    echo "schemathesis.sh: the server logged a panic or an error:"
    grep -A20 -E 'panicked| ERROR ' "$work/server.log" | head -n 80
    failed+=("server-log")
fi
cp "$work/server.log" "$reports/server.log"

end=$(date +%s)
echo "schemathesis.sh: run, operations, test cases, time, result (seed $seed)"
printf '  %s\n' "${summary[@]}"
statuses=$(sed -n 's/.* method=[A-Z]* path=\/api\/v1\/.* status=\([0-9]*\) .*/\1/p' "$work/server.log" | sort | uniq -c \
    | awk '{ printf "%s%s: %s", sep, $2, $1; sep = ", " }')
echo "schemathesis.sh: $total_ops operations over ${#summary[@]} runs, $total_cases test cases; the API answered $statuses"
echo "schemathesis.sh: total $((end - start)) s (server ready after $((ready - start)) s); reports in $reports"
if [ ${#failed[@]} -gt 0 ]; then
    echo "schemathesis.sh: FAILED: ${failed[*]}"
    exit 1
fi
echo "schemathesis.sh: ${#summary[@]} passed, 0 failed"
