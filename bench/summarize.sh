#!/usr/bin/env bash
# bench/summarize.sh DIR [--no-plots]: from DIR/results.csv (and DIR/meta.txt) writes
# DIR/medians.csv, DIR/summary.md and, with gnuplot, DIR/throughput-<workload>.png and
# DIR/cpu-<workload>.png. Safe to run again on an old results directory.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:?usage: bench/summarize.sh DIR [--no-plots]}"
plots=1
[[ "${2:-}" == --no-plots ]] && plots=0
[[ -s "${dir}/results.csv" ]] || { echo "error: ${dir}/results.csv is missing or empty" >&2; exit 1; }
rm -f "${dir}"/plot-*.dat "${dir}/plot-workloads.txt"
meta="${dir}/meta.txt"
[[ -f "$meta" ]] || meta=/dev/null
awk -F, -v out="$dir" -v meta="$meta" -f "${BENCH_DIR}/lib/median.awk" \
    -f "${BENCH_DIR}/lib/summarize.awk" "${dir}/results.csv"

((plots)) || exit 0
command -v gnuplot >/dev/null || { echo "warning: gnuplot is not installed; no plots" >&2; exit 0; }
while read -r wl; do
    q="${dir}/plot-${wl}-qps.dat" c="${dir}/plot-${wl}-cpu.dat"
    ncol=$(head -n 1 "$q" | wc -w) ncpu=$(head -n 1 "$c" | wc -w)
    tmin=$(awk 'NR == 2 { print $1 }' "$q") tmax=$(awk 'END { print $1 }' "$q")
    # The CPU plot has the paths with a proxy process only (not the direct ones, which come
    # first): its colours are shifted so that each path keeps its colour in both plots.
    gnuplot <<GP || echo "warning: gnuplot failed for ${wl}" >&2
set terminal pngcairo size 900,540 font "sans,10" noenhanced
set datafile missing "-"
set key outside right top
set grid
set logscale x 2
set xlabel "client threads"
set xtics (1, 2, 4, 8, 16, 32, 64, 128, 256)
set xrange [${tmin} / 1.4 : ${tmax} * 1.4]
set output "${dir}/throughput-${wl}.png"
set title "sysbench ${wl}: throughput by path (median)"
set ylabel "queries per second"
set yrange [0:*]
plot for [i=2:${ncol}] "${q}" using 1:i with linespoints lw 2 pt 7 lc i title columnheader(i)
set output "${dir}/cpu-${wl}.png"
set title "sysbench ${wl}: CPU of the path's proxy process per statement (median)"
set ylabel "CPU microseconds per statement"
plot for [i=2:${ncpu}] "${c}" using 1:i with linespoints lw 2 pt 7 lc (i + ${ncol} - ${ncpu}) title columnheader(i)
GP
done <"${dir}/plot-workloads.txt"
