#!/usr/bin/env bash
# Asio's epoll reactor against a hand-written io_uring loop, on the relay alone: a backend
# answering 200 bytes to each 40-byte request (127.0.43.1), the relay under test (127.0.43.2)
# and N clients (from 127.0.43.3), each its own process; the loops interleaved, fresh relay
# per point. Prints round trips per second, the relay's CPU µs per round trip and, with
# --syscalls, its syscalls per round trip (strace -c, a separate pass: strace slows it).
# --idle N instead measures memory: N clients each relay for half a second and then stay
# connected, idle; the relay's anonymous memory (RssAnon) before and while they wait.
#
#   bench/relay_loop.sh [--build DIR] [--clients "1 4 16 64"] [--time S] [--reps N]
#                       [--syscalls] [--quick] [--idle N] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=build
CLIENTS="1 4 16 64"
TIME_S=5
REPS=3
SYSCALLS=0
IDLE=0
OUT=""
while (($#)); do
    case "$1" in
        --build) BUILD=$2; shift ;;
        --clients) CLIENTS=$2; shift ;;
        --time) TIME_S=$2; shift ;;
        --reps) REPS=$2; shift ;;
        --syscalls) SYSCALLS=1 ;;
        --idle) IDLE=$2; shift ;;
        --quick) CLIENTS="1 16"; TIME_S=1; REPS=1; SYSCALLS=1 ;;
        --out) OUT=$2; shift ;;
        -h | --help) sed -n 2,11p "$0"; exit 0 ;;
        *) echo "relay_loop.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
BIN="${BUILD}/bench/relay_loop/relay_loop_bench"
[[ -x $BIN ]] || { echo "relay_loop.sh: $BIN not built (needs liburing-dev: scripts/setup.sh)" >&2; exit 2; }
[[ -n $OUT ]] || OUT="bench/results/relay-loop-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
LOOPS=(epoll uring uring-multishot uring-coroutines uring-in-asio)
ECHO_AT=127.0.43.1:3306
RELAY_AT=127.0.43.2:3306
TICK=$(getconf CLK_TCK)

pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

listening() { # address:port
    ss -Htln "src ${1%:*}" 2>/dev/null | grep -q ":${1##*:}\b"
}
wait_listening() {
    local i
    for i in $(seq 1 100); do
        listening "$1" && return 0
        sleep 0.05
    done
    echo "relay_loop.sh: nothing listens on $1" >&2
    exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '$1 == "RssAnon:" {print $2}' "/proc/$1/status"; }

# start_relay LOOP: a fresh relay process with that loop, listening; its pid in RELAY.
start_relay() {
    "$BIN" relay --loop "$1" --listen "$RELAY_AT" --backend "$ECHO_AT" --source 127.0.43.2 \
        2>>"$OUT/relay.log" &
    RELAY=$!
    pids+=("$RELAY")
    wait_listening "$RELAY_AT"
}
stop_relay() {
    kill "$RELAY"
    wait "$RELAY" 2>/dev/null || true
    # An io_uring relay's listener outlives its process while the kernel tears the ring down
    # (a pending accept holds the socket; Linux 6.18 does it after the exit): the next relay
    # must not find the port taken, nor take the old listener for its own.
    local i
    for i in $(seq 1 200); do
        listening "$RELAY_AT" || return 0
        sleep 0.05
    done
    echo "relay_loop.sh: $RELAY_AT still listening 10 s after the relay ended" >&2
    exit 1
}

"$BIN" echo --listen "$ECHO_AT" 2>>"$OUT/echo.log" &
pids+=($!)
wait_listening "$ECHO_AT"

# one point: loop, clients, rep, pass (throughput|syscalls) -> a line of results.csv
point() {
    local loop=$1 clients=$2 rep=$3 pass=$4 before after line trips rate syscalls=""
    start_relay "$loop"
    local trace="$OUT/strace-${loop}-${clients}.txt"
    if [[ $pass == syscalls ]]; then
        strace -f -c -o "$trace" -p "$RELAY" 2>/dev/null &
        local tracer=$!
        sleep 0.5
    fi
    before=$(cpu_ticks "$RELAY")
    line=$("$BIN" clients --target "$RELAY_AT" --source 127.0.43.3 --clients "$clients" \
        --seconds "$TIME_S") || { echo "relay_loop.sh: clients failed through $loop: $line" >&2; exit 1; }
    after=$(cpu_ticks "$RELAY")
    if [[ $pass == syscalls ]]; then
        kill -INT "$tracer"
        wait "$tracer" 2>/dev/null || true
    fi
    stop_relay
    trips=$(sed -n 's/.*round_trips=\([0-9]*\).*/\1/p' <<<"$line")
    rate=$(sed -n 's/.*per_second=\([0-9.]*\).*/\1/p' <<<"$line")
    if [[ $pass == syscalls ]]; then
        syscalls=$(awk '$NF == "total" {print $4}' "$trace")
        syscalls=$(awk -v s="${syscalls:-0}" -v t="$trips" 'BEGIN {printf "%.2f", s / t}')
    fi
    awk -v l="$loop" -v c="$clients" -v r="$rep" -v p="$pass" -v t="$trips" -v rate="$rate" \
        -v ticks=$((after - before)) -v hz="$TICK" -v sc="$syscalls" \
        'BEGIN {printf "%s,%s,%s,%s,%s,%s,%.2f,%s\n", l, c, r, p, t, rate, ticks / hz * 1e6 / t, sc}'
}

# --idle N: memory per idle connection of each loop's relay.
if ((IDLE > 0)); then
    echo "| loop | idle connections | relay RssAnon before | while idle | KiB per idle connection |" | tee "$OUT/idle.md"
    echo "|---|---:|---:|---:|---:|" | tee -a "$OUT/idle.md"
    for loop in "${LOOPS[@]}"; do
        start_relay "$loop"
        before=$(rss_kib "$RELAY")
        "$BIN" clients --target "$RELAY_AT" --source 127.0.43.3 --clients "$IDLE" --seconds 0.5 \
            --hold 4 >"$OUT/idle-clients-${loop}.txt" &
        clients=$!
        sleep 3
        during=$(rss_kib "$RELAY")
        wait "$clients" || { echo "relay_loop.sh: idle clients failed through $loop" >&2; exit 1; }
        stop_relay
        awk -v l="$loop" -v n="$IDLE" -v b="$before" -v d="$during" \
            'BEGIN {printf "| %s | %d | %d KiB | %d KiB | %.1f |\n", l, n, b, d, (d - b) / n}' | tee -a "$OUT/idle.md"
    done
    echo "results: $OUT"
    exit 0
fi

CSV="$OUT/results.csv"
echo "loop,clients,rep,pass,round_trips,per_second,relay_cpu_us_per_round_trip,syscalls_per_round_trip" >"$CSV"
for rep in $(seq 1 "$REPS"); do
    for clients in $CLIENTS; do
        for loop in "${LOOPS[@]}"; do
            point "$loop" "$clients" "$rep" throughput >>"$CSV"
        done
    done
done
if ((SYSCALLS)); then
    for clients in $CLIENTS; do
        for loop in "${LOOPS[@]}"; do
            point "$loop" "$clients" 1 syscalls >>"$CSV"
        done
    done
fi
grep -h "io_uring flags" "$OUT/relay.log" | sort -u || true

# Medians per loop and client count; ratios to Asio's epoll reactor at the same count.
awk -F, -f bench/lib/median.awk -f bench/lib/relay_loop_summary.awk "$CSV" | tee "$OUT/summary.md"
echo "results: $OUT"
