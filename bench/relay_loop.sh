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

"$BIN" echo --listen "$ECHO_AT" 2>>"$OUT/echo.log" &
pids+=($!)
wait_listening "$ECHO_AT"

# one point: loop, clients, rep, pass (throughput|syscalls) -> a line of results.csv
point() {
    local loop=$1 clients=$2 rep=$3 pass=$4 relay before after line trips rate syscalls=""
    "$BIN" relay --loop "$loop" --listen "$RELAY_AT" --backend "$ECHO_AT" --source 127.0.43.2 \
        2>>"$OUT/relay.log" &
    relay=$!
    pids+=("$relay")
    wait_listening "$RELAY_AT"
    local trace="$OUT/strace-${loop}-${clients}.txt"
    if [[ $pass == syscalls ]]; then
        strace -f -c -o "$trace" -p "$relay" 2>/dev/null &
        local tracer=$!
        sleep 0.5
    fi
    before=$(cpu_ticks "$relay")
    line=$("$BIN" clients --target "$RELAY_AT" --source 127.0.43.3 --clients "$clients" \
        --seconds "$TIME_S") || { echo "relay_loop.sh: clients failed through $loop: $line" >&2; exit 1; }
    after=$(cpu_ticks "$relay")
    if [[ $pass == syscalls ]]; then
        kill -INT "$tracer"
        wait "$tracer" 2>/dev/null || true
    fi
    kill "$relay"
    wait "$relay" 2>/dev/null || true
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

rss_kib() { awk '$1 == "RssAnon:" {print $2}' "/proc/$1/status"; }

# --idle N: memory per idle connection of each loop's relay.
if ((IDLE > 0)); then
    echo "| loop | idle connections | relay RssAnon before | while idle | KiB per idle connection |" | tee "$OUT/idle.md"
    echo "|---|---:|---:|---:|---:|" | tee -a "$OUT/idle.md"
    for loop in "${LOOPS[@]}"; do
        "$BIN" relay --loop "$loop" --listen "$RELAY_AT" --backend "$ECHO_AT" --source 127.0.43.2 \
            2>>"$OUT/relay.log" &
        relay=$!
        pids+=("$relay")
        wait_listening "$RELAY_AT"
        before=$(rss_kib "$relay")
        "$BIN" clients --target "$RELAY_AT" --source 127.0.43.3 --clients "$IDLE" --seconds 0.5 \
            --hold 4 >"$OUT/idle-clients-${loop}.txt" &
        clients=$!
        sleep 3
        during=$(rss_kib "$relay")
        wait "$clients" || { echo "relay_loop.sh: idle clients failed through $loop" >&2; exit 1; }
        kill "$relay"
        wait "$relay" 2>/dev/null || true
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
awk -F, '
function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR > 1 && $4 == "throughput" {
    rate[$1, $2] = rate[$1, $2] " " $6; cpu[$1, $2] = cpu[$1, $2] " " $7
    if (!(($2) in seen)) { seen[$2] = 1; counts[++nc] = $2 }
    if (!(($1) in known)) { known[$1] = 1; loops[++nl] = $1 }
}
NR > 1 && $4 == "syscalls" { sys[$1, $2] = $8 }
END {
    print "| clients | loop | round trips/s | ratio | relay CPU µs/round trip | ratio | syscalls/round trip |"
    print "|---:|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= nc; i++) {
        c = counts[i]; re = median(rate["epoll", c]); ce = median(cpu["epoll", c])
        for (j = 1; j <= nl; j++) {
            l = loops[j]; r = median(rate[l, c]); u = median(cpu[l, c])
            printf "| %s | %s | %.0f | %.2f | %.1f | %.2f | %s |\n", c, l, r, r / re, u, u / ce, \
                (((l, c) in sys) ? sys[l, c] : "-")
        }
    }
}' "$CSV" | tee "$OUT/summary.md"
echo "results: $OUT"
