#!/usr/bin/env bash
# bench/summarize.sh and bench/check_output.sh on a fixed results.csv (fixture/): medians
# over repetitions, ratios to direct and HAProxy, added latency, targets met and missed,
# and the output checker accepting good output and rejecting a failed run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="${here}/../../bench"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cp "${here}/fixture/results.csv" "${here}/fixture/meta.txt" "$dir/"
fails=0
expect() { # DESCRIPTION FIXED-STRING FILE
    if grep -qF -- "$2" "$3"; then echo "ok: $1"; else
        echo "FAIL: $1: no line with '$2' in $(basename "$3")"
        fails=$((fails + 1))
    fi
}

"${bench}/summarize.sh" "$dir" 2>/dev/null
s="${dir}/summary.md"
# sqlgate-random at 16 threads: reps 7000, 8000, 9500 -> median 8000; HAProxy 5000; replica 10000.
expect "16-thread target from medians" "| sqlgate-random | 1.60x HAProxy, 0.80x direct (8,000 vs 5,000 and 10,000 qps) | **met** |" "$s"
# a failed repetition is left out of the median (5500, 5600 -> 5550) and reported
expect "failed repetition left out" "| 16 | sqlgate-customized (1 of 3 runs failed) | 5,550 |" "$s"
expect "16-thread target missed" "0.56x direct (5,550 vs 5,000 and 10,000 qps) | **missed** |" "$s"
# 1 thread: avg 0.112 ms (median of 0.112, 0.110, 0.130) vs direct-replica 0.100 ms, 1 stmt/trx
expect "added latency" "| point_select, 1 thread: <= 15 us added per statement | sqlgate-random | +12.0 us/stmt (HAProxy +25.0) | **met** |" "$s"
expect "CPU target" "| sqlgate-customized | 12.0 us/stmt at 1 thr .. 10.5 at 16 thr (HAProxy 18.0 .. 30.0) | **missed** |" "$s"
# the chain at 1 thread: avg 0.155 ms (median of 0.150, 0.160, 0.155) vs direct-replica 0.100 ms
expect "full chain target" "| point_select, 1 thread: full chain (gatekeeper, TLS) <= 60 us added per statement | sqlgate-chain | +55.0 us/stmt (sqlgate-random +12.0, HAProxy +25.0) | **met** |" "$s"
# its CPU is the sum of its three processes' (gatekeeper 19.5 + trusted host 13.25 + proxy 13.25)
expect "chain in the table" "| 1 | sqlgate-chain | 6,300 | 6,300 | 0.23 | 0 | 0.63 | 0.90 | +55.0 | 46.0 |" "$s"
expect "chain medians" "point_select,sqlgate-chain,1,3,0,6300,6300,0.235,0.155,0,1,46,0.5,0.1,19.5,13.25,13.25,40,20" "${dir}/medians.csv"
expect "prepared statements noted" "--db-ps-mode=disable" "$s"
expect "ratio to HAProxy in the table" "| 16 | sqlgate-random | 8,000 | 8,000 | 3.00 | 0 | 0.80 | 1.60 |  | 6.5 |" "$s"
expect "medians.csv" "point_select,sqlgate-random,16,3,0,8000,8000," "${dir}/medians.csv"

# Without the chain's rows, and the path skipped: the target is not measured, and why.
nochain="${dir}/nochain"
mkdir "$nochain"
grep -v ',sqlgate-chain,' "${dir}/results.csv" >"${nochain}/results.csv"
{
    grep -v '^paths=' "${dir}/meta.txt"
    echo "paths=direct-primary direct-replica haproxy sqlgate-random sqlgate-customized"
    echo "skipped=sqlgate-chain: build/src/cli/sqlgate has no gatekeeper role"
    echo "ps_mode=auto"
} >"${nochain}/meta.txt"
"${bench}/summarize.sh" "$nochain" --no-plots 2>/dev/null
expect "prepared statements on" "sysbench runs with \`--db-ps-mode=auto\`: prepared statements" "${nochain}/summary.md"
expect "full chain not measured" "| sqlgate-chain | - | not measured: build/src/cli/sqlgate has no gatekeeper role |" "${nochain}/summary.md"
# An old results.csv, without the chain proxy's CPU column, is still summarized.
cut -d, -f1-25,27- "${nochain}/results.csv" >"${nochain}/r.csv" && mv "${nochain}/r.csv" "${nochain}/results.csv"
rm -f "${nochain}/summary.md"
"${bench}/summarize.sh" "$nochain" --no-plots 2>/dev/null
expect "old results.csv without the chain proxy column" "| 16 | sqlgate-random | 8,000 | 8,000 | 3.00 | 0 | 0.80 | 1.60 |  | 6.5 |" "${nochain}/summary.md"
rm -rf "$nochain"

# The fixture holds one failed run: the checker must reject it, and accept the rest.
if "${bench}/check_output.sh" "$dir" --no-plots >"${dir}/check.out" 2>&1; then
    echo "FAIL: check_output accepted a failed run"
    fails=$((fails + 1))
else
    expect "check_output names the failed run" "sqlgate-customized point_select 16 threads: status failed" "${dir}/check.out"
fi
grep -v ',failed,' "${here}/fixture/results.csv" >"${dir}/results.csv"
"${bench}/summarize.sh" "$dir" 2>/dev/null
if "${bench}/check_output.sh" "$dir" --no-plots; then echo "ok: check_output accepts valid output"; else
    echo "FAIL: check_output rejected valid output"
    fails=$((fails + 1))
fi
# A missing column is caught.
cut -d, -f1-26 "${dir}/results.csv" >"${dir}/r.csv" && mv "${dir}/r.csv" "${dir}/results.csv"
if "${bench}/check_output.sh" "$dir" --no-plots >/dev/null 2>&1; then
    echo "FAIL: check_output accepted a missing column"
    fails=$((fails + 1))
else echo "ok: check_output rejects a missing column"; fi

((fails == 0)) || { echo "${fails} check(s) failed"; exit 1; }
echo "all checks passed"
