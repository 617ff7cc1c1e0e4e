#!/usr/bin/env bash
# Would MariaDB spend less per statement if a proxy pipelined several clients' statements on
# one backend connection? Runs bench/pipelining/pipelining_probe against the bench cluster's
# first replica with the same number of statements in flight two ways — one statement per
# connection at a time, or DEPTH back to back per connection — interleaved, and prints each
# run's statements per second and the server's CPU per statement, then the median ratios.
#
#   bench/pipelining.sh [--build DIR] [--in-flight N] [--depth K] [--time S] [--reps N]
#
# Needs the bench cluster with its sysbench tables: run bench/run.sh --keep-cluster first.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

BUILD=build IN_FLIGHT=8 DEPTH=4 TIME_S=8 REPS=3
while (($#)); do
    case "$1" in
        --build | --in-flight | --depth | --time | --reps)
            (($# >= 2)) || die "$1 needs a value"
            case "$1" in
                --build) BUILD=$2 ;;
                --in-flight) IN_FLIGHT=$2 ;;
                --depth) DEPTH=$2 ;;
                --time) TIME_S=$2 ;;
                --reps) REPS=$2 ;;
            esac
            shift
            ;;
        -h | --help) sed -n 2,10p "$0"; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
    shift
done
((IN_FLIGHT % DEPTH == 0)) || die "--in-flight must be a multiple of --depth"
PROBE="${BUILD}/bench/pipelining/pipelining_probe"
[[ -x $PROBE ]] || die "$PROBE is not built"
STATE="${SQLGATE_STATE}/bench"
[[ -r ${STATE}/sysbench.password && -r ${SQLGATE_STATE}/bench-cluster/cluster.env ]] ||
    die "no bench cluster: run bench/run.sh --keep-cluster first"
# shellcheck disable=SC1091
source "${SQLGATE_STATE}/bench-cluster/cluster.env"
pid="$(ss -Htlnp "src ${NODE_2_HOST}" | grep -o ':'"${NODE_2_PORT}"'\b.*pid=[0-9]*' | grep -o '[0-9]*$' | head -1)"
[[ -n $pid ]] || die "the bench cluster's replica ${NODE_2_HOST}:${NODE_2_PORT} is not running"

# The sysbench account connects from the default address (bench/run.sh: SB_HOST).
probe() { # DEPTH CONNECTIONS
    "$PROBE" --target "${NODE_2_HOST}:${NODE_2_PORT}" --user sqlgate_bench \
        --password-file "${STATE}/sysbench.password" --database sbtest --server-pid "$pid" \
        --depth "$1" --connections "$2" --seconds "$TIME_S"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
rates=() costs=()
for ((rep = 1; rep <= REPS; rep++)); do
    one="$(probe 1 "$IN_FLIGHT")"
    piped="$(probe "$DEPTH" $((IN_FLIGHT / DEPTH)))"
    echo "$one"
    echo "$piped"
    rates+=("$(ratio "$(field per_second <<<"$piped")" "$(field per_second <<<"$one")")")
    costs+=("$(ratio "$(field server_cpu_us_per_statement <<<"$piped")" \
        "$(field server_cpu_us_per_statement <<<"$one")")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'; }
echo "depth ${DEPTH} against 1, ${IN_FLIGHT} in flight, median of ${REPS}:" \
    "statements per second x$(median "${rates[@]}"), server CPU per statement x$(median "${costs[@]}")"
