#!/usr/bin/env python3
"""Runs the workspace's test binaries side by side (called by scripts/test.sh).

`cargo test` runs one test binary after another and holds the build directory's lock while
they run, so two `cargo test` commands cannot share the machine. This script builds every
test target once (`cargo test --no-run`, with cargo's own JSON report of the executables),
then runs the binaries directly, as cargo would (working directory: the package's folder),
from a queue shared by CAREERDOCK_TEST_LANES workers (default: 3; on this 2-core machine two
lanes left a third of the CPU idle, and four made every browser job slower: the page walk took
890 s instead of 596 s, the rest of `http` 788 s instead of 290 s). The longest
binary, the web crate's `http`, is split by test-name filters into parts that run at the same
time, and the brief schemathesis and fuzz runs join the same queue. The fuzz run's own
instrumented build starts with the test build, at the lowest priority: it takes the CPU the
test build leaves idle.

CAREERDOCK_TEST_CLIPPY=1 (set by `.ci/run`) makes the test build also clippy's lint run: the
workspace's crates are compiled by clippy-driver, as `cargo clippy` does (cargo's
RUSTC_WORKSPACE_WRAPPER), with `-D warnings`, so a lint fails the build. Every target that
`cargo clippy --workspace --all-targets` checks is one the test build compiles (libraries, their
tests, binaries, integration tests, benches, examples). A separate `cargo clippy` would check
every dependency again in its own mode (metadata only, which the test build's artifacts cannot
serve): 250 s of CPU on this 2-core machine.

Each job's output is kept and printed whole when it ends, then a table of every job with its
time. The exit status is 1 when any job failed.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The `http` binary of careerdock-web, split into parts that run side by side. Each entry is
# (label, arguments to the test binary). The parts must cover every test exactly once: the
# last part skips what the others take.
HTTP_PARTS = [
    ("http: browser pages (e2e::pages)", ["e2e::pages::"]),
    ("http: other browser tests (e2e)", ["e2e::", "--skip", "e2e::pages::"]),
    ("http: the rest", ["--skip", "e2e::"]),
]

# Benchmarks (harness = false) run once here to show they still work, at a small size: with
# no arguments the pseudonymizer's bench also builds and masks at 100,000 people (31 s).
BENCH_ARGS = {"domain bench pseudonym": ["1200"]}

# Jobs expected to take longest start first (by label prefix); the rest keep cargo's order.
# Seen in a full `.ci/run`: the page walk 596 s, the other browser tests 497 s, the rest of
# `http` 290 s, the command line's 216 s, schemathesis 171 s (one Python process and the server
# it drives), the store's 143 s.
FIRST = ["http: browser pages", "http: other browser", "http: the rest", "careerdock (cli)", "schemathesis", "store test store", "fuzz"]


def build(cargo_args):
    """Builds every test target; returns [(label, executable, package folder)]."""
    cmd = ["cargo", "test", "--workspace", "--all-targets", "--locked", "--no-run", "--message-format=json-render-diagnostics"]
    cmd += cargo_args
    env = dict(os.environ)
    if os.environ.get("CAREERDOCK_TEST_CLIPPY") == "1":
        driver = shutil.which("clippy-driver")
        if not driver:
            sys.exit("run-tests: CAREERDOCK_TEST_CLIPPY=1 but clippy-driver is not installed (rustup component add clippy)")
        # What `cargo clippy -- -D warnings` sets: the driver for the workspace's crates only,
        # and its arguments joined by clippy's separator.
        env["RUSTC_WORKSPACE_WRAPPER"] = driver
        env["CLIPPY_ARGS"] = "__CLIPPY_HACKERY__".join(["-D", "warnings"]) + "__CLIPPY_HACKERY__"
        print("run-tests: the test build lints the workspace with clippy (-D warnings)", flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
    found = []
    for line in proc.stdout:
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
            continue
        if not msg.get("profile", {}).get("test"):
            continue
        target = msg["target"]
        package = msg["package_id"]
        folder = os.path.dirname(msg["manifest_path"])
        name = os.path.basename(folder) if folder else package
        kind = "/".join(target["kind"])
        found.append((f"{name} {kind} {target['name']}", msg["executable"], folder))
    if proc.wait() != 0:
        return None
    return found


def jobs_of(binaries, extra):
    jobs = []
    for label, exe, folder in binaries:
        if label.endswith("test http") and "web" in label:
            for part, args in HTTP_PARTS:
                jobs.append((part, [exe] + args, folder))
        elif label.endswith("test cli"):
            jobs.append(("careerdock (cli) test cli", [exe], folder))
        elif label in BENCH_ARGS:
            jobs.append((label, [exe] + BENCH_ARGS[label], folder))
        else:
            jobs.append((label, [exe], folder))
    jobs += extra

    def rank(job):
        for i, prefix in enumerate(FIRST):
            if job[0].startswith(prefix):
                return i
        return len(FIRST)

    return sorted(jobs, key=rank)


def main():
    lanes = int(os.environ.get("CAREERDOCK_TEST_LANES", "3"))
    extra = []
    # The real API against its OpenAPI document: the debug server this build makes, a fresh demo.
    schemathesis = os.path.join(ROOT, "scripts", "schemathesis.sh")
    if os.environ.get("CAREERDOCK_SKIP_SCHEMATHESIS") != "1" and os.path.exists(schemathesis):
        extra.append(("schemathesis: the API against its OpenAPI document, briefly", [schemathesis, "--ci"], ROOT))
    lock = threading.Lock()
    results = []
    start = time.monotonic()

    # The processes started before the test build, stopped if it fails (and none started after).
    started_early = []
    stopping = threading.Event()

    def run(label, argv, folder, early=False):
        began = time.monotonic()
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as out:
            # A test binary run as cargo would run it.
            env = dict(os.environ, CARGO_MANIFEST_DIR=folder)
            # An early job gets its own process group, so that stopping it stops its cargo too.
            with lock:
                if early and stopping.is_set():
                    return
                proc = subprocess.Popen(argv, cwd=folder, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=early)
                if early:
                    started_early.append(proc)
            code = proc.wait()
            took = time.monotonic() - began
            out.seek(0)
            text = out.read()
        with lock:
            state = "ok" if code == 0 else f"FAILED ({code})"
            print(f"\n===== {label}: {state} in {took:.1f} s =====\n{text}", flush=True)
            results.append((label, code, took))

    # The brief fuzz run's instrumented build needs nothing of the test build (its own profile
    # directories): it starts now, at the lowest priority, and so takes only the CPU the test
    # build leaves idle (in a lane beside the tests it held one for 524 s). The fuzzing itself
    # joins the queue at normal priority: its time is wall-clock seconds, and at the lowest
    # priority beside the test build it ran a tenth of the inputs.
    early = []
    fuzz = os.path.join(ROOT, "scripts", "fuzz.sh")
    if os.environ.get("CAREERDOCK_SKIP_FUZZ") != "1" and os.path.exists(fuzz):
        argv = ["nice", "-n", "19", fuzz, "--ci", "--build-only"]
        label = "fuzz: the instrumented build (at low priority from the start)"
        early.append(threading.Thread(target=run, args=(label, argv, ROOT, True)))
        extra.append(("fuzz: every target, briefly", [fuzz, "--ci"], ROOT))
    for t in early:
        t.start()

    binaries = build(sys.argv[1:])
    if binaries is None:
        # Nothing to test: the early jobs stop rather than keep the failure waiting on them.
        with lock:
            stopping.set()
            for proc in started_early:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
        for t in early:
            t.join()
        sys.exit("run-tests: the test build failed")
    built = time.monotonic() - start
    print(f"run-tests: built {len(binaries)} test binaries in {built:.0f} s; running them in {lanes} lanes", flush=True)

    queue = jobs_of(binaries, extra)

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop(0)
            run(*job)

    threads = [threading.Thread(target=worker) for _ in range(max(1, lanes))]
    for t in threads:
        t.start()
    for t in threads + early:
        t.join()

    total = time.monotonic() - start
    print("\nrun-tests: every job")
    for label, code, took in results:
        print(f"  {'ok    ' if code == 0 else 'FAILED'} {took:7.1f} s  {label}")
    failed = [label for label, code, _ in results if code != 0]
    print(f"run-tests: {len(results)} jobs, {len(failed)} failed; build {built:.0f} s, all {total:.0f} s")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
