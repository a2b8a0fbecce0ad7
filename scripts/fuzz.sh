#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers and of the anonymity engine (docs/fuzzing.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   each target for SECONDS (default 300), then a summary
#   scripts/fuzz.sh --ci                    the brief form CI runs: 6 s per target
#   scripts/fuzz.sh --replay [TARGET...]    only the committed seeds and regressions, no fuzzing
#   scripts/fuzz.sh --build-only [--ci]     only the build (scripts/run-tests.py starts it early)
#   scripts/fuzz.sh --list                  the targets
#
# Works on the stable toolchain: libFuzzer comes from the libfuzzer-sys crate (its C++ sources,
# compiled with the system's C++ compiler), and the coverage instrumentation libFuzzer feeds on
# is LLVM's SanitizerCoverage pass, which stable rustc runs when asked (-Cpasses=sancov-module);
# no sanitizer (that needs nightly), but panics, overflow and debug assertions are on.
#
# Every target first replays fuzz/regressions/<target>/ (inputs that once crashed, now fixed)
# and its seeds; then fuzzes from fuzz/corpus/<target>/ (the committed seeds, named seed-*; the
# inputs it finds are kept there for the next run, and ignored by git). A crash is written to
# fuzz/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FUZZ=$ROOT/fuzz

seconds=300
profile=release
replay_only=false
build_only=false
targets=()
for arg in "$@"; do
    case "$arg" in
        --ci) seconds=6; profile=fuzz-ci ;;
        --replay) replay_only=true ;;
        --build-only) build_only=true ;;
        --list) sed -n 's/^name = "\(.*\)"$/\1/p' "$FUZZ/Cargo.toml" | grep -v '^careerdock-fuzz$'; exit 0 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        ''|*[!0-9]*) targets+=("$arg") ;;
        *) seconds=$arg ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' "$FUZZ/Cargo.toml" | grep -v '^careerdock-fuzz$')
fi

host=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$FUZZ/target}
# What cargo-fuzz passes, minus the sanitizer: 8-bit edge counters with their PC table,
# comparison tracing (libFuzzer learns the constants the code compares with) and stack depth.
# With --target, RUSTFLAGS reach the fuzzed code only, not build scripts or proc macros.
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cllvm-args=-sanitizer-coverage-stack-depth \
--cfg fuzzing"
start=$(date +%s)
bins=()
for t in "${targets[@]}"; do bins+=(--bin "$t"); done
cargo build --manifest-path "$FUZZ/Cargo.toml" --locked --profile "$profile" --target "$host" "${bins[@]}"
built=$(date +%s)
echo "fuzz.sh: built ${#targets[@]} targets in $((built - start)) s"
if $build_only; then
    exit 0
fi

bin_dir=$CARGO_TARGET_DIR/$host/$profile
log_dir=$FUZZ/artifacts/logs
mkdir -p "$log_dir"
failed=()
summary=()
for t in "${targets[@]}"; do
    exe=$bin_dir/$t
    mkdir -p "$FUZZ/corpus/$t" "$FUZZ/artifacts/$t"
    # Replay: every committed regression and seed, once each (libFuzzer runs file arguments).
    mapfile -t known < <(find "$FUZZ/regressions/$t" "$FUZZ/corpus/$t" -maxdepth 1 -type f \
        \( -path "*/regressions/*" -o -name 'seed-*' \) 2>/dev/null | sort)
    if [ ${#known[@]} -gt 0 ]; then
        if ! "$exe" -rss_limit_mb=2048 -timeout=20 "${known[@]}" >"$log_dir/$t.replay.log" 2>&1; then
            echo "fuzz.sh: $t: a committed input fails again (see $log_dir/$t.replay.log)"
            tail -n 30 "$log_dir/$t.replay.log"
            failed+=("$t")
            continue
        fi
    fi
    if $replay_only; then
        summary+=("$(printf '%-26s replayed %d inputs' "$t" "${#known[@]}")")
        continue
    fi
    dict=()
    [ -f "$FUZZ/dict/$t.dict" ] && dict=("-dict=$FUZZ/dict/$t.dict")
    set +e
    "$exe" "$FUZZ/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$FUZZ/artifacts/$t/" "${dict[@]}" >"$log_dir/$t.log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log_dir/$t.log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log_dir/$t.log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log_dir/$t.log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    summary+=("$(printf '%-26s %5s s  %9s execs  %6s/s  cov %5s  ft %6s  corpus %5s' "$t" "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")")
    if [ $rc -ne 0 ]; then
        echo "fuzz.sh: $t FAILED (exit $rc); the input is in fuzz/artifacts/$t/"
        grep -E 'panicked|ERROR|SUMMARY|Test unit written|ParseDictionaryFile' "$log_dir/$t.log" | head -n 20 || true
        failed+=("$t")
    fi
done
end=$(date +%s)
echo "fuzz.sh: target, time, executions, executions per second, edges covered, features, corpus"
printf '  %s\n' "${summary[@]}"
echo "fuzz.sh: total $((end - start)) s (build $((built - start)) s)"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: FAILED: ${failed[*]}"
    exit 1
fi
echo "fuzz.sh: ${#targets[@]} passed, 0 failed"
