#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit and integration tests in the
# Release build (and the offline deployment checks, the Debian package's test), then again in
# an AddressSanitizer + UndefinedBehaviorSanitizer build.
# The integration tests start their own MariaDB cluster (127.0.30.x; the failover tests one
# more, 127.0.32.x), the benchmark's quick mode another (127.0.40.x); all are stopped at the end.
# MariaDB's own regression tests run through the proxy (tests/compat/run.sh): a short list
# here, the whole main suite with --full-compat (about an hour more). The libFuzzer targets
# run 30 s each here; scripts/fuzz.sh [SECONDS] runs them longer.
# Usage: scripts/test.sh [--no-sanitize] [--full-compat]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

sanitize=1
compat=()
for arg in "$@"; do
    case "$arg" in
        --no-sanitize) sanitize=0 ;;
        --full-compat) compat=(--full) ;;
        *) die "unknown option '$arg' (use --no-sanitize or --full-compat)" ;;
    esac
done

stop_test_cluster() {
    scripts/cluster.sh down --dir .sqlgate/test-cluster >/dev/null 2>&1 || true
    scripts/cluster.sh down --dir .sqlgate/bench-cluster >/dev/null 2>&1 || true
    # The failover tests' own (127.0.32.x) destroys itself; not when a test crashed.
    scripts/cluster.sh destroy --dir .sqlgate/failover-cluster >/dev/null 2>&1 || true
}
trap stop_test_cluster EXIT

if ((sanitize)); then scripts/setup.sh --sanitize; else scripts/setup.sh; fi

run_tests() {
    local dir="$1"
    step "unit tests (${dir})"
    ctest --test-dir "$dir" -L unit -j "$(nproc)" --output-on-failure --timeout 300 ||
        die "unit tests failed in ${dir}"
    step "integration tests (${dir}): real MariaDB cluster on 127.0.30.x"
    ctest --test-dir "$dir" -L integration --output-on-failure ||
        die "integration tests failed in ${dir}"
}

run_tests build
# The suites above run the roles' worker threads on io_uring (the default); the ones that
# spread clients over threads run again with the workers on Asio's epoll reactor.
step "integration tests with [runtime] io = \"epoll\" (threads, multiplexing, chain, drain)"
SQLGATE_TEST_IO=epoll ctest --test-dir build -L integration -R '^(Threads|FrontThreads|Multiplexing|ChainTest|Drain)\.' \
    --output-on-failure || die "integration tests on epoll workers failed"
# MariaDB's tests, each against the primary and through sqlgate with direct and random routing.
step "MariaDB's own tests through the proxy (tests/compat)"
tests/compat/run.sh --build build "${compat[@]}" || die "MariaDB's tests through sqlgate failed"
# The AWS deployment (deploy/) checked offline: security groups, secrets, IMDSv2, cloud-init
# and role configs as Terraform renders them, and proof the checks fail on loosened copies.
step "deployment checks (offline)"
ctest --test-dir build -L deploy --output-on-failure || die "deployment checks failed"
# The Debian package from the Release build: contents, extracted binary, systemd units.
step "package (.deb)"
ctest --test-dir build -L package --output-on-failure || die "package test failed"
# The benchmark suite's quick mode (its own cluster on 127.0.40.x): it runs and its output
# parses. Figures are not asserted; they belong to bench/run.sh reports.
step "benchmark suite, quick mode (build)"
ctest --test-dir build -L bench --output-on-failure || die "benchmark suite tests failed"
# libFuzzer (clang-16, ASan + UBSan) over every decoder of outside bytes, 30 s per target;
# scripts/fuzz.sh 600 is the long run.
step "fuzz targets, 30 s each (build-fuzz)"
scripts/fuzz.sh 30 || die "fuzzing found a problem; inputs and logs in .sqlgate/fuzz/<target>/"
if ((sanitize)); then
    export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    run_tests build-asan
fi
step "all tests passed"
