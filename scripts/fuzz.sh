#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, preset `fuzz`: clang-16, ASan + UBSan) and runs each
# for SECONDS on a scratch copy of its seeds; fails on any crash, leak, timeout or sanitizer report.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (600 s per target by default; every target)
# Findings go to .sqlgate/fuzz/<target>/ (crash-*, leak-*, timeout-* and the run's log);
# replay one with: build-fuzz/tests/fuzz/<target> .sqlgate/fuzz/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

seconds="${1:-600}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "SECONDS must be a positive whole number (got '${seconds}')"
(($# == 0)) || shift
requested=("$@")

scripts/setup.sh --no-build

build_dir=build-fuzz
step "building ${build_dir} (cmake preset fuzz: clang-16, libFuzzer, ASan + UBSan)"
cmake --preset fuzz >"${SQLGATE_STATE}/${build_dir}-configure.log" 2>&1 ||
    die "cmake configure failed; see ${SQLGATE_STATE}/${build_dir}-configure.log"
# SQLGATE_FUZZ_JOBS=1 leaves a core free on a shared machine.
cmake --build --preset fuzz -j "${SQLGATE_FUZZ_JOBS:-$(nproc)}" \
    >"${SQLGATE_STATE}/${build_dir}-build.log" 2>&1 || {
    tail -n 40 "${SQLGATE_STATE}/${build_dir}-build.log" >&2
    die "build failed; full log in ${SQLGATE_STATE}/${build_dir}-build.log"
}

fuzz_bin="${build_dir}/tests/fuzz"
mapfile -t targets <"${fuzz_bin}/fuzz_targets.txt"
if ((${#requested[@]})); then
    for t in "${requested[@]}"; do
        [[ " ${targets[*]} " == *" ${t} "* ]] || die "unknown target '${t}' (known: ${targets[*]})"
    done
    targets=("${requested[@]}")
fi

# The SQL-reading targets share the SQL words; the HTTP and config targets have their own.
dictionary_of() {
    case "$1" in
        sql_* | policy_* | statement_allowlist_*) echo tests/fuzz/sql.dict ;;
        http_*) echo tests/fuzz/http.dict ;;
        config_*) echo tests/fuzz/toml.dict ;;
        *) echo tests/fuzz/mysql.dict ;;
    esac
}

# libFuzzer adds what it finds to the first corpus folder: a scratch copy keeps the checked-in
# seeds as they are.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/sqlgate-fuzz.XXXXXX")"
trap 'rm -rf "${scratch}"' EXIT
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1"
# Reports name functions and lines only with the symbolizer of the same LLVM (package llvm-16).
[[ -x /usr/lib/llvm-16/bin/llvm-symbolizer ]] &&
    export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer

step "fuzzing ${#targets[@]} targets for ${seconds}s each"
total_execs=0
failed=()
for t in "${targets[@]}"; do
    out="${SQLGATE_STATE}/fuzz/${t}"
    mkdir -p "${out}" "${scratch}/${t}"
    cp -r "tests/fuzz/corpus/${t}/." "${scratch}/${t}/"
    log="${out}/last-run.log"
    status=0
    "${fuzz_bin}/${t}" -max_total_time="${seconds}" -dict="$(dictionary_of "$t")" \
        -artifact_prefix="${out}/" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        "${scratch}/${t}" </dev/null >"${log}" 2>&1 || status=$?
    execs="$(awk '/^stat::number_of_executed_units:/ { n = $2 } END { print n }' "${log}")"
    rate="$(awk '/^stat::average_exec_per_sec:/ { n = $2 } END { print n }' "${log}")"
    coverage="$(awk '{ for (i = 1; i < NF; ++i) if ($i == "cov:") n = $(i + 1) } END { print n }' "${log}")"
    total_execs=$((total_execs + ${execs:-0}))
    line="$(printf '%-26s %12s execs %9s exec/s  cov %6s' "$t" "${execs:-?}" "${rate:-?}" "${coverage:-?}")"
    if ((status != 0)) ||
        grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz invariant broken' "${log}"; then
        failed+=("$t")
        line+="  FAILED (exit ${status}): $(grep -oE "(crash|leak|timeout|oom)-[0-9a-f]+" "${log}" | tail -n 1 || true)"
    fi
    step "$line"
done

step "$(printf '%-26s %12s execs (%s targets, %ss each)' total "${total_execs}" "${#targets[@]}" "${seconds}")"
if ((${#failed[@]})); then
    die "fuzzing found problems in: ${failed[*]} (logs and inputs in ${SQLGATE_STATE}/fuzz/<target>/)"
fi
step "fuzzing found nothing"
