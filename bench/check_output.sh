#!/usr/bin/env bash
# bench/check_output.sh DIR [--no-plots]: checks a results directory of bench/run.sh:
# results.csv has exactly the columns of bench/lib/columns.txt, in order; every row has
# that many fields, a known path and workload, numbers where numbers belong, status ok;
# every path that ran has rows; summary.md has its sections; the PNGs exist.
# Exit status 0 when all holds; otherwise prints what does not and exits 1.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:?usage: bench/check_output.sh DIR [--no-plots]}"
plots=1
[[ "${2:-}" == --no-plots ]] && plots=0
fail=0
problem() { echo "check_output: $*" >&2; fail=1; }

csv="${dir}/results.csv"
[[ -s "$csv" ]] || { problem "${csv} is missing or empty"; exit 1; }
expected="$(paste -sd, "${BENCH_DIR}/lib/columns.txt")"
[[ "$(head -n 1 "$csv")" == "$expected" ]] ||
    problem "results.csv header differs from bench/lib/columns.txt:
  got:      $(head -n 1 "$csv")
  expected: ${expected}"

awk -F, -v ncol="$(wc -l <"${BENCH_DIR}/lib/columns.txt")" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    {
        rows++
        if (NF != ncol) { printf "line %d: %d fields, expected %d\n", NR, NF, ncol; bad = 1; next }
        if ($c["path"] !~ /^(direct-primary|direct-replica|haproxy|sqlgate-random|sqlgate-customized|sqlgate-chain)$/) { printf "line %d: unknown path %s\n", NR, $c["path"]; bad = 1 }
        if ($c["workload"] !~ /^(point_select|read_only|read_only_trx|read_write)$/) { printf "line %d: unknown workload %s\n", NR, $c["workload"]; bad = 1 }
        if ($c["status"] != "ok") { printf "line %d: %s %s %s threads: status %s (see logs/)\n", NR, $c["path"], $c["workload"], $c["threads"], $c["status"]; bad = 1; next }
        if ($c["threads"] !~ /^[1-9][0-9]*$/ || $c["repetition"] !~ /^[1-9][0-9]*$/) { printf "line %d: bad threads/repetition\n", NR; bad = 1 }
        if ($c["started_utc"] !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z$/) { printf "line %d: bad started_utc %s\n", NR, $c["started_utc"]; bad = 1 }
        split("duration_s transactions queries tps qps stmts_per_trx avg_ms p95_ms max_ms errors reconnects", must, " ")
        for (i in must) if ($c[must[i]] !~ /^[0-9]+(\.[0-9]+)?$/) { printf "line %d: %s is not a number: \"%s\"\n", NR, must[i], $c[must[i]]; bad = 1 }
        for (name in c) if (name ~ /^cpu_us_per_stmt_/ && $c[name] != "" && $c[name] !~ /^-?[0-9]+(\.[0-9]+)?$/) { printf "line %d: %s is not a number: \"%s\"\n", NR, name, $c[name]; bad = 1 }
        if ($c["foreign_cpu_pct"] !~ /^[0-9]+$/) { printf "line %d: foreign_cpu_pct is not a whole number: \"%s\"\n", NR, $c["foreign_cpu_pct"]; bad = 1 }
        if ($c["status"] == "ok" && $c["qps"] + 0 <= 0) { printf "line %d: qps is 0\n", NR; bad = 1 }
        if ($c["path"] ~ /^(haproxy|sqlgate-)/ && $c["status"] == "ok" && $c["cpu_us_per_stmt_path"] == "") { printf "line %d: no CPU figure for %s\n", NR, $c["path"]; bad = 1 }
        if ($c["cpu_us_per_stmt_mariadb"] == "" || $c["cpu_us_per_stmt_sysbench"] == "") { printf "line %d: no MariaDB or sysbench CPU figure\n", NR; bad = 1 }
    }
    END { if (rows == 0) { print "no data rows"; bad = 1 } exit bad }
' "$csv" 2>&1 | awk 'NR <= 20 { print } END { if (NR > 20) printf "... and %d more\n", NR - 20 }' >&2 || problem "results.csv rows are not valid (above)"

# Every path named in meta.txt as run has rows.
if [[ -f "${dir}/meta.txt" ]]; then
    # shellcheck disable=SC2013 # (one line of space-separated names)
    for p in $(sed -n 's/^paths=//p' "${dir}/meta.txt"); do
        cut -d, -f3 "$csv" | grep -qx "$p" || problem "path ${p} ran but has no row"
    done
fi

summary="${dir}/summary.md"
if [[ -s "$summary" ]]; then
    grep -q '^## Targets' "$summary" || problem "summary.md has no Targets section"
    grep -q -- '--db-ps-mode=' "$summary" || problem "summary.md does not say whether prepared statements were used"
    for wl in $(cut -d, -f4 "$csv" | tail -n +2 | sort -u); do
        [[ -s "${dir}/throughput-${wl}.png" || $plots == 0 ]] || problem "throughput-${wl}.png is missing"
        [[ -s "${dir}/cpu-${wl}.png" || $plots == 0 ]] || problem "cpu-${wl}.png is missing"
    done
else
    problem "summary.md is missing or empty"
fi
[[ -s "${dir}/medians.csv" ]] || problem "medians.csv is missing"

((fail == 0)) && echo "check_output: ${dir}: results.csv ($(($(wc -l <"$csv") - 1)) rows), summary.md and plots are valid"
exit "$fail"
