#!/usr/bin/env bash
# The benchmark suite: sysbench through every path to the database, side by side, in one run.
#
#   bench/run.sh [--quick] [--seed-comparison] [options]     (--help for all of them)
#
# Paths (one name each; see path_* below):
#   direct-primary       sysbench -> MariaDB primary
#   direct-replica       sysbench -> replica-1 (read-only workloads only)
#   haproxy              sysbench -> HAProxy (TCP mode): round-robin over the replicas for
#                        read-only workloads, the primary for read-write ones
#   sqlgate-random       sysbench -> sqlgate proxy, a user whose default_route is random
#   sqlgate-customized   sysbench -> sqlgate proxy, a user whose default_route is customized
#   sqlgate-chain        sysbench -> gatekeeper (MySQL over TLS) -> trusted host (mTLS) ->
#                        a proxy of its own (mTLS, accepts only the trusted host) -> cluster
#
# Adding a path: give it a line in PATH_ORDER, a case in path_unavailable (why it cannot
# run, or nothing), path_endpoint (where sysbench connects), path_roles (the processes
# whose CPU is the path's own), and start its processes in start_services (recording their
# pids in ROLE_PIDS so that their CPU is measured, and stopped on exit: start_role). A new role
# (a key of ROLE_PIDS) also needs a name in ROLES, a CSV column cpu_us_per_stmt_ROLE
# (bench/lib/columns.txt, parse_sysbench.awk, summarize.awk) and a line in bench/README.md.
#
# Everything runs on 127.x addresses of a cluster of its own (127.0.40.x, clients from
# 127.0.41.x), never the demo's (127.0.20.x) or the integration tests' (127.0.30.x).
# Results: bench/results/<UTC timestamp>/ results.csv, summary.md, *.png, logs.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${BENCH_DIR}/.." && pwd)"
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"
# shellcheck source=scripts/lib/proxy_config.sh
source "${ROOT}/scripts/lib/proxy_config.sh"
# shellcheck source=scripts/lib/chain_config.sh
source "${ROOT}/scripts/lib/chain_config.sh"
# shellcheck source=scripts/lib/mariadb_admin.sh
source "${ROOT}/scripts/lib/mariadb_admin.sh"
# shellcheck source=scripts/lib/processes.sh
source "${ROOT}/scripts/lib/processes.sh"
# shellcheck source=scripts/lib/secrets.sh
source "${ROOT}/scripts/lib/secrets.sh"
PATH="${PATH}:/usr/sbin:/sbin"

readonly NET=127.0.40
readonly CLIENT_NET=127.0.41
readonly PROXY_ADDR=${CLIENT_NET}.1 # sqlgate listens here and connects from here
readonly HAPROXY_ADDR=${CLIENT_NET}.2
readonly PORT=3306
readonly HAPROXY_RO_PORT=3306 # round-robin over the replicas
readonly HAPROXY_RW_PORT=3307 # the primary
readonly SB_USER=sqlgate_bench # sysbench's own account for the direct paths
readonly SB_HOST=127.0.0.1     # sysbench cannot bind: it connects from the default address
readonly SB_DB=sbtest
readonly STATE="${SQLGATE_STATE}/bench"
readonly BENCH_CLUSTER_DIR="${SQLGATE_STATE}/bench-cluster"
BINARY="${SQLGATE_BINARY:-${ROOT}/build/src/cli/sqlgate}"
# The chain (path sqlgate-chain), in the variables scripts/lib/chain_config.sh renders from:
# three more hosts on the client net. Its proxy is a process of its own (TLS required, only
# the trusted host's certificate and address), not the one of sqlgate-random/-customized, so
# neither path's CPU figures include the other's. (PROXY_ADDRESS is the chain's proxy;
# PROXY_ADDR above is the plain proxy.) It connects to the cluster from its own address.
CHAIN_CERTS="${STATE}/certs"
PROXY_ADDRESS=${CLIENT_NET}.3 PROXY_PORT=3306
TRUSTED_HOST_ADDRESS=${CLIENT_NET}.4 TRUSTED_HOST_PORT=3306
GATEKEEPER_ADDRESS=${CLIENT_NET}.5 GATEKEEPER_PORT=3306 HTTP_PORT=8443 # (HTTP API: unused here)
readonly CHAIN_USER=bench_chain              # sysbench's user at the gatekeeper
readonly CHAIN_PROXY_USER=bench_random       # the trusted host's user at the chain's proxy
readonly CHAIN_KINDS='["read", "write", "ddl", "transaction", "session"]'
readonly CHAIN_AUDIT="${STATE}/chain-audit.log" # emptied after each point (refusals kept)
readonly CHAIN_SB_DIR="${STATE}/sysbench-tls"    # sysbench's working directory on the chain
readonly BUSY_PATTERN='cmake --build|ctest|cc1plus|integration_test'

# name | sysbench test | extra options | kind (ro: reads only, rw: writes too)
readonly WORKLOAD_TABLE="
point_select|oltp_point_select||ro
read_only|oltp_read_only|--skip_trx=on|ro
read_only_trx|oltp_read_only|--skip_trx=off|ro
read_write|oltp_read_write||rw
"
PATH_ORDER=(direct-primary direct-replica haproxy sqlgate-random sqlgate-customized sqlgate-chain)

usage() {
    cat <<'EOF'
Usage: bench/run.sh [options]

Runs sysbench through every path (direct to the primary, direct to a replica, HAProxy,
the sqlgate proxy with random and customized routing, the full chain: gatekeeper over TLS
-> trusted host -> proxy, mutual TLS), interleaved (A B C A B C ...),
each point repeated; writes bench/results/<UTC timestamp>/ with results.csv (one row per
run), summary.md (medians, ratios, targets) and gnuplot PNGs. Starts its own cluster
(127.0.40.x) unless it runs, and stops everything it started.

Presets:
  --quick             2-minute smoke run: 1 table x 1000 rows, threads 1 4, 5 s per point,
                      1 repetition, workloads point_select read_write
  --seed-comparison   the original system's comparison: 10 tables x 10000 rows,
                      oltp_read_write, 4 threads, 60 s per point
Options (after a preset they override it):
  --workloads LIST    comma-separated: point_select, read_only (--skip_trx=on),
                      read_only_trx (reads inside BEGIN/COMMIT), read_write
                      (default point_select,read_only,read_only_trx,read_write)
  --threads LIST      client threads (default 1,4,16,64)
  --time S            seconds per point (default 10)
  --reps N            repetitions of each point (default 3; the median is reported)
  --tables N --rows N sysbench tables and rows per table (default 4 and 10000)
  --ps-mode MODE      sysbench's --db-ps-mode: auto (prepared statements, the binary
                      protocol; the default) or disable (text queries)
  --paths LIST        subset of: direct-primary,direct-replica,haproxy,sqlgate-random,
                      sqlgate-customized,sqlgate-chain (default all available)
  --out DIR           results directory (default bench/results/<UTC timestamp>)
  --keep-cluster      leave the bench cluster running at the end
  --no-wait           do not wait for other heavy work (builds, ctest) to finish first
  --sqlgate BINARY    the sqlgate binary to measure (default build/src/cli/sqlgate, or
                      $SQLGATE_BINARY); e.g. to compare a build before and after a change
  --check-output      afterwards, check results.csv and the summary (bench/check_output.sh)
  --connections N     instead of the matrix: sqlgate-random with N mostly idle clients
                      (sqlgate idle-clients: each logs in and runs one SELECT, then idles)
                      while sysbench runs (threads 64 and point_select unless given);
                      each repetition runs without, then with them, and writes
                      connections.csv: the proxy's memory per idle client, backend
                      connections per server, and the active clients' throughput ratio
  --max-backend-connections N
                      the sqlgate proxy's [backend] max_connections_per_server (default
                      0, no limit; 64 with --connections)
  --pipeline-depth N  the sqlgate proxy's [backend] pipeline_depth (default: the proxy's
                      own; 1: no pipelining)
  --proxy-threads N   the sqlgate proxies' [runtime] threads (event-loop threads; default:
                      the proxy's own default; 0: one per core), the chain's proxy too
  --front-threads N   the same for the chain's gatekeeper and trusted host
  --io io_uring|epoll every sqlgate role's [runtime] io: what its worker threads wait on
                      (default: the roles' own, io_uring)
  --syscalls          instead of the matrix: each proxy path (haproxy and sqlgate-random
                      unless --paths says) runs point_select (unless --workloads says) with
                      strace -c counting its processes' syscalls; writes syscalls.csv
                      (syscalls per statement, and the commonest calls). Throughput under
                      strace is not representative and is not reported
EOF
}

# ---------------------------------------------------------------------------------------
# Options

WORKLOADS=point_select,read_only,read_only_trx,read_write
THREADS=1,4,16,64
TIME_S=10
REPS=3
TABLES=4
ROWS=10000
PATHS_WANTED=""
OUT=""
PRESET=full
KEEP_CLUSTER=0
WAIT_IDLE=1
CHECK_OUTPUT=0
PS_MODE=auto
IDLE_TIMEOUT="${BENCH_IDLE_TIMEOUT:-1800}"
CONNECTIONS=0
MAX_BACKEND_CONNECTIONS=""
PIPELINE_DEPTH=""
PROXY_THREADS=""
FRONT_THREADS=""
RUNTIME_IO=""
SYSCALLS=0
IDLE_CLIENTS_PID=""
THREADS_GIVEN=0
WORKLOADS_GIVEN=0

while (($#)); do
    case "$1" in
        --quick)
            PRESET=quick TABLES=1 ROWS=1000 THREADS=1,4 TIME_S=5 REPS=1
            WORKLOADS=point_select,read_write
            ;;
        --seed-comparison)
            PRESET=seed-comparison TABLES=10 ROWS=10000 THREADS=4 TIME_S=60 WORKLOADS=read_write
            ;;
        --workloads | --threads | --time | --reps | --tables | --rows | --paths | --out | --sqlgate | --ps-mode | --connections | --max-backend-connections | --pipeline-depth | --proxy-threads | --front-threads | --io)
            (($# >= 2)) || die "$1 needs a value; see --help"
            case "$1" in
                --workloads) WORKLOADS="$2" WORKLOADS_GIVEN=1 ;;
                --threads) THREADS="$2" THREADS_GIVEN=1 ;;
                --connections) CONNECTIONS="$2" ;;
                --max-backend-connections) MAX_BACKEND_CONNECTIONS="$2" ;;
                --pipeline-depth) PIPELINE_DEPTH="$2" ;;
                --proxy-threads) PROXY_THREADS="$2" ;;
                --front-threads) FRONT_THREADS="$2" ;;
                --io) RUNTIME_IO="$2" ;;
                --time) TIME_S="$2" ;;
                --reps) REPS="$2" ;;
                --tables) TABLES="$2" ;;
                --rows) ROWS="$2" ;;
                --paths) PATHS_WANTED="$2" ;;
                --out) OUT="$2" ;;
                --sqlgate) BINARY="$(realpath -- "$2")" ;;
                --ps-mode) PS_MODE="$2" ;;
            esac
            shift
            ;;
        --keep-cluster) KEEP_CLUSTER=1 ;;
        --no-wait) WAIT_IDLE=0 ;;
        --check-output) CHECK_OUTPUT=1 ;;
        --syscalls) SYSCALLS=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown argument '$1'; see --help" ;;
    esac
    shift
done

[[ "$CONNECTIONS" =~ ^[0-9]+$ ]] || die "--connections must be a whole number (got '${CONNECTIONS}')"
[[ -z "$PROXY_THREADS" || "$PROXY_THREADS" =~ ^[0-9]+$ ]] ||
    die "--proxy-threads must be a whole number (got '${PROXY_THREADS}')"
[[ -z "$FRONT_THREADS" || "$FRONT_THREADS" =~ ^[0-9]+$ ]] ||
    die "--front-threads must be a whole number (got '${FRONT_THREADS}')"
[[ -z "$RUNTIME_IO" || "$RUNTIME_IO" == io_uring || "$RUNTIME_IO" == epoll ]] ||
    die "--io must be io_uring or epoll (got '${RUNTIME_IO}')"
[[ -z "$PIPELINE_DEPTH" || "$PIPELINE_DEPTH" =~ ^[1-9][0-9]*$ ]] ||
    die "--pipeline-depth must be a whole number from 1 (got '${PIPELINE_DEPTH}')"
[[ -z "$MAX_BACKEND_CONNECTIONS" || "$MAX_BACKEND_CONNECTIONS" =~ ^[0-9]+$ ]] ||
    die "--max-backend-connections must be a whole number (got '${MAX_BACKEND_CONNECTIONS}')"
if ((CONNECTIONS > 0)); then
    MAX_BACKEND_CONNECTIONS="${MAX_BACKEND_CONNECTIONS:-64}"
    [[ -z "$PATHS_WANTED" || "$PATHS_WANTED" == sqlgate-random ]] ||
        die "--connections measures the sqlgate-random path only"
    PATHS_WANTED=sqlgate-random
    ((THREADS_GIVEN)) || THREADS=64
    ((WORKLOADS_GIVEN)) || WORKLOADS=point_select
fi
if ((SYSCALLS)); then
    ((CONNECTIONS == 0)) || die "--syscalls and --connections are separate runs"
    [[ -n "$PATHS_WANTED" ]] || PATHS_WANTED=haproxy,sqlgate-random
    ((WORKLOADS_GIVEN)) || WORKLOADS=point_select
    command -v strace >/dev/null || die "strace is missing (scripts/setup.sh installs it)"
fi
for v in TIME_S REPS TABLES ROWS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "${v} must be a positive whole number (got '${!v}')"
done
[[ "$PS_MODE" == auto || "$PS_MODE" == disable ]] ||
    die "--ps-mode is auto or disable (got '${PS_MODE}')"
IFS=', ' read -r -a THREAD_LIST <<<"$THREADS"
for t in "${THREAD_LIST[@]}"; do [[ "$t" =~ ^[1-9][0-9]*$ ]] || die "bad thread count '$t'"; done
IFS=', ' read -r -a WORKLOAD_LIST <<<"$WORKLOADS"
for w in "${WORKLOAD_LIST[@]}"; do
    grep -q "^${w}|" <<<"$WORKLOAD_TABLE" || die "unknown workload '$w'; see --help"
done

workload_field() { # NAME FIELD(2..4)
    grep "^$1|" <<<"$WORKLOAD_TABLE" | cut -d'|' -f"$2"
}

# ---------------------------------------------------------------------------------------
# Paths

# path_unavailable NAME: prints why the path cannot run now; nothing when it can.
path_unavailable() {
    case "$1" in
        direct-primary | direct-replica) ;;
        haproxy) command -v haproxy >/dev/null || echo "haproxy is not installed (scripts/setup.sh)" ;;
        sqlgate-random | sqlgate-customized)
            [[ -x "$BINARY" ]] || echo "${BINARY} is missing (scripts/setup.sh)"
            ;;
        sqlgate-chain)
            if [[ ! -x "$BINARY" ]]; then
                echo "${BINARY} is missing (scripts/setup.sh)"
            elif ! "$BINARY" gatekeeper --help >/dev/null 2>&1; then
                echo "${BINARY} has no gatekeeper role"
            fi
            ;;
        *) echo "unknown path" ;;
    esac
}

# path_serves NAME KIND: whether the path runs workloads of KIND (ro|rw).
path_serves() {
    case "$1:$2" in
        direct-replica:rw) return 1 ;; # replicas are read_only
        *) return 0 ;;
    esac
}

# path_endpoint NAME KIND: sets EP_HOST EP_PORT EP_USER EP_PASSWORD_FILE.
path_endpoint() {
    case "$1" in
        direct-primary) EP_HOST=$NODE_1_HOST EP_PORT=$NODE_1_PORT EP_USER=$SB_USER EP_PASSWORD_FILE="${STATE}/sysbench.password" ;;
        direct-replica) EP_HOST=$NODE_2_HOST EP_PORT=$NODE_2_PORT EP_USER=$SB_USER EP_PASSWORD_FILE="${STATE}/sysbench.password" ;;
        haproxy)
            # HAProxy passes the login through: the account must be valid on the backends
            # for HAProxy's source address (sqlgate_proxy is granted to 127.0.41.%).
            EP_HOST=$HAPROXY_ADDR EP_USER=$CLUSTER_PROXY_USER EP_PASSWORD_FILE=$CLUSTER_PROXY_PASSWORD_FILE
            if [[ "$2" == rw ]]; then EP_PORT=$HAPROXY_RW_PORT; else EP_PORT=$HAPROXY_RO_PORT; fi
            ;;
        sqlgate-random) EP_HOST=$PROXY_ADDR EP_PORT=$PORT EP_USER=bench_random EP_PASSWORD_FILE="${STATE}/bench_random.password" ;;
        sqlgate-customized) EP_HOST=$PROXY_ADDR EP_PORT=$PORT EP_USER=bench_customized EP_PASSWORD_FILE="${STATE}/bench_customized.password" ;;
        sqlgate-chain) EP_HOST=$GATEKEEPER_ADDRESS EP_PORT=$GATEKEEPER_PORT EP_USER=$CHAIN_USER EP_PASSWORD_FILE="${STATE}/${CHAIN_USER}.password" ;;
        *) die "no endpoint for path $1" ;;
    esac
}

# path_roles NAME: the processes (roles) that are the path's own; their CPU is the path's.
path_roles() {
    case "$1" in
        haproxy) echo haproxy ;;
        sqlgate-random | sqlgate-customized) echo sqlgate_proxy ;;
        sqlgate-chain) echo "sqlgate_gatekeeper sqlgate_trusted sqlgate_chain_proxy" ;;
        *) echo "" ;;
    esac
}

# path_tls NAME: whether sysbench connects with TLS (--mysql-ssl=on). sysbench 1.0.20 then
# reads cacert.pem, client-cert.pem and client-key.pem from its working directory (it has no
# options for them; without all three it fails with "error 2026: TLS/SSL error: No such file
# or directory"), and libmariadb checks the server's certificate against cacert.pem: it
# runs in CHAIN_SB_DIR, which holds the chain's CA and a client certificate.
path_tls() { [[ "$1" == sqlgate-chain ]]; }

# Roles whose CPU is measured at every point; each has a CSV column cpu_us_per_stmt_ROLE.
# sqlgate_proxy is the proxy of sqlgate-random/-customized; sqlgate_chain_proxy the chain's.
ROLES=(sqlgate_proxy haproxy sqlgate_gatekeeper sqlgate_trusted sqlgate_chain_proxy mariadb sysbench)
declare -A ROLE_PIDS=() # role -> space-separated pids (sysbench is measured separately)

# ---------------------------------------------------------------------------------------
# Clean-up: everything this script started, by pid.

CLUSTER_STARTED=0
SB_WRAPPER_PID=""
declare -a STARTED=() # ROLE=PID of every process start_role started

# start_role ROLE LOG COMMAND...: COMMAND detached, logging to OUT/LOG.log, its pid in
# ROLE_PIDS[ROLE] (its CPU is measured) and STARTED (it is stopped on exit).
start_role() {
    local role="$1" log="$2"
    shift 2
    start_detached "${OUT}/${log}.log" "$@"
    ROLE_PIDS[$role]=$STARTED_PID
    STARTED+=("${role}=${STARTED_PID}")
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n "$SB_WRAPPER_PID" ]] && pid_alive "$SB_WRAPPER_PID"; then
        local child
        local -a children=()
        for child in $(pgrep -P "$SB_WRAPPER_PID"); do children+=("sysbench-${child}=${child}"); done
        ((${#children[@]} == 0)) || stop_processes 5 pid_alive "${children[@]}"
        stop_processes 5 pid_alive "sysbench-wrapper=${SB_WRAPPER_PID}"
    fi
    if [[ -n "$IDLE_CLIENTS_PID" ]] && pid_alive "$IDLE_CLIENTS_PID"; then
        stop_processes 5 pid_alive "idle-clients=${IDLE_CLIENTS_PID}"
    fi
    ((${#STARTED[@]} == 0)) || stop_processes 5 pid_alive "${STARTED[@]}"
    if ((CLUSTER_STARTED && !KEEP_CLUSTER)); then
        "${ROOT}/scripts/cluster.sh" down --dir "$BENCH_CLUSTER_DIR"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# Waiting for a quiet machine (2 shared cores: a build next door skews every figure)

ANCESTORS=" "
p=$$
while [[ "$p" =~ ^[0-9]+$ ]] && ((p > 1)); do
    ANCESTORS+="$p "
    stat_line=$(<"/proc/${p}/stat") || break
    stat_line=${stat_line##*) }
    read -r _ p _ <<<"$stat_line"
done

busy_processes() {
    local pid
    for pid in $(pgrep -f "$BUSY_PATTERN" || true); do
        [[ "$ANCESTORS" == *" ${pid} "* ]] || printf '%s ' "$pid"
    done
}

# background_cpu: the CPU the whole machine used over 2 s, in percent of one core, and the
# busiest process, e.g. "85 sqlgate(7111)". Before the run starts nothing of ours is busy.
background_cpu() {
    local a b
    read -r -a a < <(head -n 1 /proc/stat)
    sleep 2
    read -r -a b < <(head -n 1 /proc/stat)
    local busy=$(((b[1] + b[2] + b[3] + b[6] + b[7] + b[8]) - (a[1] + a[2] + a[3] + a[6] + a[7] + a[8])))
    local top
    top=$(ps -eo pid=,pcpu=,comm= --sort=-pcpu | awk 'NR == 1 { printf "%s(%s, %s%% lifetime)", $3, $1, $2 }')
    printf '%s %s' "$((busy * 100 / (2 * CLK_TCK)))" "$top"
}
CLK_TCK=$(getconf CLK_TCK)

WAITED_S=0
wait_idle() {
    ((WAIT_IDLE)) || return 0
    local busy start=$SECONDS announced=0
    while busy=$(busy_processes) && [[ -n "$busy" ]]; do
        if ((SECONDS - start >= IDLE_TIMEOUT)); then
            echo "warning: other heavy work still running after ${IDLE_TIMEOUT}s; measuring anyway" >&2
            break
        fi
        if ((!announced)); then
            step "waiting (up to ${IDLE_TIMEOUT} s) for other heavy work to finish: $(for b in $busy; do tr '\0' ' ' <"/proc/$b/cmdline" 2>/dev/null | cut -c1-50 | tr -d '\n'; printf '; '; done)"
            announced=1
        fi
        sleep 10 &
        wait $! # (a signal interrupts wait at once, not sleep)
    done
    WAITED_S=$((WAITED_S + SECONDS - start))
}

# ---------------------------------------------------------------------------------------
# Set-up

command -v sysbench >/dev/null || die "sysbench is not installed; run scripts/setup.sh"
command -v gnuplot >/dev/null || die "gnuplot is not installed; run scripts/setup.sh"
if [[ ! -x "$BINARY" && "$BINARY" == "${ROOT}/build/src/cli/sqlgate" ]]; then
    step "build/src/cli/sqlgate is missing: scripts/setup.sh"
    "${ROOT}/scripts/setup.sh"
fi

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-${BENCH_DIR}/results/${STAMP}}"
mkdir -p "$OUT" "$STATE"
OUT="$(cd "$OUT" && pwd)"
chmod 700 "$STATE"
exec > >(tee -a "${OUT}/run.log") 2>&1

# Paths of this run.
declare -a RUN_PATHS=()
declare -A SKIPPED=()
if [[ -n "$PATHS_WANTED" ]]; then IFS=', ' read -r -a wanted <<<"$PATHS_WANTED"; else wanted=("${PATH_ORDER[@]}"); fi
for pth in "${wanted[@]}"; do
    [[ " ${PATH_ORDER[*]} " == *" ${pth} "* ]] || die "unknown path '$pth'; see --help"
    why="$(path_unavailable "$pth")"
    if [[ -n "$why" ]]; then
        SKIPPED[$pth]="$why"
        step "path ${pth}: skipped (${why})"
    else
        RUN_PATHS+=("$pth")
    fi
done
((${#RUN_PATHS[@]})) || die "no path to run"
uses() { [[ " ${RUN_PATHS[*]} " == *" $1 "* ]]; }

wait_idle
# Work the pattern does not know (a runaway process, say) shows as CPU used while we idle.
read -r BACKGROUND_CPU BACKGROUND_TOP <<<"$(background_cpu)"
if ((WAIT_IDLE && BACKGROUND_CPU > 40)); then
    step "the machine is busy (${BACKGROUND_CPU}% of a core; busiest: ${BACKGROUND_TOP}); waiting up to 5 min for it to calm down"
    for ((i = 0; i < 30 && BACKGROUND_CPU > 40; i++)); do
        sleep 8 &
        wait $!
        read -r BACKGROUND_CPU BACKGROUND_TOP <<<"$(background_cpu)"
        WAITED_S=$((WAITED_S + 10))
    done
fi
((BACKGROUND_CPU <= 40)) || echo "warning: measuring on a busy machine: ${BACKGROUND_CPU}% of a core used by others (busiest: ${BACKGROUND_TOP})" >&2

step "bench cluster: ${BENCH_CLUSTER_DIR} (primary ${NET}.1, replicas ${NET}.2-4, clients from ${CLIENT_NET}.%)"
if "${ROOT}/scripts/cluster.sh" status --dir "$BENCH_CLUSTER_DIR" >/dev/null 2>&1; then
    step "the bench cluster already runs: reusing it (left running at the end)"
else
    CLUSTER_STARTED=1
    "${ROOT}/scripts/cluster.sh" up --dir "$BENCH_CLUSTER_DIR" --net "$NET" --client-host "${CLIENT_NET}.%"
fi
# shellcheck disable=SC1091
source "${BENCH_CLUSTER_DIR}/cluster.env"
[[ "$CLUSTER_NET" == "$NET" && "$CLUSTER_CLIENT_HOST" == "${CLIENT_NET}.%" ]] ||
    die "${BENCH_CLUSTER_DIR} is set up for ${CLUSTER_NET}.x / ${CLUSTER_CLIENT_HOST}; run scripts/cluster.sh destroy --dir ${BENCH_CLUSTER_DIR}"
((CLUSTER_NODES >= 2)) || die "the bench cluster needs at least one replica"

step "sysbench account ${SB_USER}@${SB_HOST} (sbtest.* only) and a fresh ${SB_DB} schema"
new_secret "${STATE}/sysbench.password"
acct="$(sql_str "$SB_USER")@$(sql_str "$SB_HOST")"
pw="$(sql_str "$(<"${STATE}/sysbench.password")")"
cluster_admin_sql 1 <<SQL
DROP DATABASE IF EXISTS ${SB_DB};
CREATE DATABASE ${SB_DB};
CREATE USER IF NOT EXISTS ${acct} IDENTIFIED BY ${pw};
ALTER USER ${acct} IDENTIFIED BY ${pw};
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX ON ${SB_DB}.* TO ${acct};
SQL
unset pw

# sysbench reads its connection options, the password among them, from a file (never argv).
# (sysbench 1.0.20 ignores the test script's options there: those go on the command line.)
sb_config() { # PATH KIND -> prints the config file for sysbench on that path
    path_endpoint "$1" "$2"
    local f="${STATE}/sysbench-$1-$2.cfg"
    {
        cat <<CFG
db-driver=mysql
mysql-host=${EP_HOST}
mysql-port=${EP_PORT}
mysql-user=${EP_USER}
mysql-password=$(<"$EP_PASSWORD_FILE")
mysql-db=${SB_DB}
db-ps-mode=${PS_MODE}
CFG
        if path_tls "$1"; then echo "mysql-ssl=on"; fi
    } | write_secret "$f"
    printf '%s' "$f"
}

step "sysbench prepare: ${TABLES} table(s) x ${ROWS} rows on the primary"
sysbench --config-file="$(sb_config direct-primary rw)" --threads="$TABLES" \
    --tables="$TABLES" --table_size="$ROWS" oltp_common prepare \
    >"${OUT}/prepare.log" 2>&1 || {
    tail -n 20 "${OUT}/prepare.log"
    die "sysbench prepare failed; see ${OUT}/prepare.log"
}
target="$(cluster_admin_sql 1 -e 'SELECT @@gtid_binlog_pos')"
for ((k = 2; k <= CLUSTER_NODES; k++)); do
    [[ "$(cluster_admin_sql "$k" -e "SELECT MASTER_GTID_WAIT($(sql_str "$target"), 60)")" == 0 ]] ||
        die "replica ${k} did not catch up with ${target} within 60 s"
done
# Each node's buffer pool holds the tables (rows and the secondary index) before the first point.
prewarm=""
for ((i = 1; i <= TABLES; i++)); do
    prewarm+="SELECT COUNT(*), SUM(LENGTH(c)) FROM ${SB_DB}.sbtest${i}; SELECT SUM(k) FROM ${SB_DB}.sbtest${i} FORCE INDEX (k_${i});"
done
for ((k = 1; k <= CLUSTER_NODES; k++)); do
    cluster_admin_sql "$k" <<<"$prewarm" >/dev/null || die "prewarming node ${k} failed"
done

# runtime_threads N: a role's [runtime] table with threads = N and io = --io's; nothing when
# both are empty (the role's defaults).
runtime_threads() {
    [[ -n "$1" || -n "$RUNTIME_IO" ]] || return 0
    printf '\n[runtime]\n'
    [[ -z "$1" ]] || printf 'threads = %s\n' "$1"
    [[ -z "$RUNTIME_IO" ]] || printf 'io = "%s"\n' "$RUNTIME_IO"
}

# start_chain: the chain's proxy, trusted host and gatekeeper (ROLE_PIDS sqlgate_chain_proxy,
# sqlgate_trusted, sqlgate_gatekeeper), configured by scripts/lib/chain_config.sh as
# scripts/run.sh does, with certificates from scripts/certs.sh in STATE/certs.
start_chain() {
    step "the chain: gatekeeper ${GATEKEEPER_ADDRESS}:${GATEKEEPER_PORT} (TLS) -> trusted host ${TRUSTED_HOST_ADDRESS}:${TRUSTED_HOST_PORT} -> proxy ${PROXY_ADDRESS}:${PROXY_PORT} (its own; connecting from ${PROXY_ADDRESS})"
    # Made anew each run, so that they always name this script's addresses.
    "${ROOT}/scripts/certs.sh" --force "$CHAIN_CERTS" gatekeeper="$GATEKEEPER_ADDRESS" \
        trusted-host="$TRUSTED_HOST_ADDRESS" proxy="$PROXY_ADDRESS" bench-client="$SB_HOST" ||
        die "scripts/certs.sh failed"
    # sysbench's TLS files, under the names it looks for in its working directory (path_tls).
    # The gatekeeper asks for no client certificate, but sysbench needs one: bench-client.
    mkdir -p "$CHAIN_SB_DIR"
    chmod 700 "$CHAIN_SB_DIR"
    cp "${CHAIN_CERTS}/ca.crt" "${CHAIN_SB_DIR}/cacert.pem"
    cp "${CHAIN_CERTS}/bench-client.crt" "${CHAIN_SB_DIR}/client-cert.pem"
    write_secret "${CHAIN_SB_DIR}/client-key.pem" <"${CHAIN_CERTS}/bench-client.key"

    # Two secrets: sysbench's password at the gatekeeper (the gatekeeper keeps its hash), and
    # the credential the trusted host logs in to the chain's proxy with (the secrets file; the
    # proxy keeps its hash): the proxy user bench_random, as on sqlgate-random.
    new_secret "${STATE}/${CHAIN_USER}.password"
    new_secret "${STATE}/${CHAIN_PROXY_USER}.password"
    local gk_hash proxy_hash
    gk_hash="$("$BINARY" hash-password <"${STATE}/${CHAIN_USER}.password")"
    proxy_hash="$("$BINARY" hash-password <"${STATE}/${CHAIN_PROXY_USER}.password")"

    {
        render_proxy_config bench/run.sh "$PROXY_ADDRESS" "$PROXY_PORT" "$PROXY_ADDRESS"
        render_proxy_tls
        render_proxy_user "$CHAIN_PROXY_USER" "$proxy_hash" random
        runtime_threads "$PROXY_THREADS"
    } >"${STATE}/chain-proxy.toml"
    render_secret "$CHAIN_USER" "$CHAIN_PROXY_USER" "$(<"${STATE}/${CHAIN_PROXY_USER}.password")" |
        write_secret "${STATE}/trusted-host.secrets"
    {
        render_trusted_host_config "${STATE}/trusted-host.secrets"
        render_trusted_host_user "$CHAIN_USER" "$CHAIN_KINDS" "$SB_DB"
        runtime_threads "$FRONT_THREADS"
    } >"${STATE}/trusted-host.toml"
    # The demo's rate limits (2,000 statements/s per user and per source) would cap sysbench:
    # the chain runs without. Everything else is the demo's configuration.
    {
        render_gatekeeper_config "$CHAIN_AUDIT" unlimited
        render_gatekeeper_user "$CHAIN_USER" "$gk_hash" "" "$CHAIN_KINDS" "$SB_DB"
        runtime_threads "$FRONT_THREADS"
    } >"${STATE}/gatekeeper.toml"
    : >"$CHAIN_AUDIT"
    chmod 600 "$CHAIN_AUDIT"

    local role name address port log
    for role in sqlgate_chain_proxy sqlgate_trusted sqlgate_gatekeeper; do
        case "$role" in
            sqlgate_chain_proxy) name=proxy address=$PROXY_ADDRESS port=$PROXY_PORT log=chain-proxy ;;
            sqlgate_trusted) name=trusted-host address=$TRUSTED_HOST_ADDRESS port=$TRUSTED_HOST_PORT log=trusted-host ;;
            sqlgate_gatekeeper) name=gatekeeper address=$GATEKEEPER_ADDRESS port=$GATEKEEPER_PORT log=gatekeeper ;;
        esac
        "$BINARY" "$name" --config "${STATE}/${log}.toml" --check >/dev/null ||
            die "sqlgate ${name} --check refused ${STATE}/${log}.toml"
        ensure_port_free "$address" "$port"
        if [[ "$name" == gatekeeper ]]; then ensure_port_free "$address" "$HTTP_PORT"; fi
        start_role "$role" "$log" "$BINARY" "$name" --config "${STATE}/${log}.toml"
    done
    printf '[client]\nhost=%s\nport=%s\nuser=%s\npassword=%s\ndatabase=%s\nssl\nssl-ca=%s\nssl-verify-server-cert\n' \
        "$GATEKEEPER_ADDRESS" "$GATEKEEPER_PORT" "$CHAIN_USER" "$(<"${STATE}/${CHAIN_USER}.password")" \
        "$SB_DB" "${CHAIN_CERTS}/ca.crt" | write_secret "${STATE}/chain-client.cnf"
}

start_services() {
    if uses haproxy; then
        step "HAProxy on ${HAPROXY_ADDR}:${HAPROXY_RO_PORT} (replicas, round-robin) and :${HAPROXY_RW_PORT} (primary), from ${HAPROXY_ADDR}"
        {
            cat <<CFG
# Written by bench/run.sh; rewritten on every run.
global
    maxconn 4096
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
listen replicas
    bind ${HAPROXY_ADDR}:${HAPROXY_RO_PORT}
    balance roundrobin
    source ${HAPROXY_ADDR}
CFG
            for ((k = 2; k <= CLUSTER_NODES; k++)); do
                n="NODE_${k}_NAME" h="NODE_${k}_HOST" p="NODE_${k}_PORT"
                printf '    server %s %s:%s check inter 1s\n' "${!n}" "${!h}" "${!p}"
            done
            printf 'listen primary\n    bind %s:%s\n    source %s\n    server %s %s:%s check inter 1s\n' \
                "$HAPROXY_ADDR" "$HAPROXY_RW_PORT" "$HAPROXY_ADDR" "$NODE_1_NAME" "$NODE_1_HOST" "$NODE_1_PORT"
        } >"${STATE}/haproxy.cfg"
        haproxy -c -q -f "${STATE}/haproxy.cfg" || die "HAProxy rejected ${STATE}/haproxy.cfg"
        for port in "$HAPROXY_RO_PORT" "$HAPROXY_RW_PORT"; do ensure_port_free "$HAPROXY_ADDR" "$port"; done
        start_role haproxy haproxy haproxy -db -f "${STATE}/haproxy.cfg"
    fi
    if uses sqlgate-random || uses sqlgate-customized; then
        step "sqlgate proxy on ${PROXY_ADDR}:${PORT}, connecting from ${PROXY_ADDR}"
        local u hash
        {
            # The limit goes under [backend] (older binaries, --sqlgate, do not know it).
            render_proxy_config bench/run.sh "$PROXY_ADDR" "$PORT" "$PROXY_ADDR" |
                awk -v max="${MAX_BACKEND_CONNECTIONS:-0}" -v depth="${PIPELINE_DEPTH:-0}" '
                    { print }
                    /^\[backend\]/ && max > 0 { print "max_connections_per_server = " max }
                    /^\[backend\]/ && depth > 0 { print "pipeline_depth = " depth }'
            for u in random customized; do
                new_secret "${STATE}/bench_${u}.password"
                hash="$("$BINARY" hash-password <"${STATE}/bench_${u}.password")"
                render_proxy_user "bench_${u}" "$hash" "$u"
            done
            runtime_threads "$PROXY_THREADS"
        } >"${STATE}/proxy.toml"
        "$BINARY" proxy --config "${STATE}/proxy.toml" --check >/dev/null
        ensure_port_free "$PROXY_ADDR" "$PORT"
        start_role sqlgate_proxy proxy "$BINARY" proxy --config "${STATE}/proxy.toml"
        printf '[client]\nhost=%s\nport=%s\nuser=bench_random\npassword=%s\n' \
            "$PROXY_ADDR" "$PORT" "$(<"${STATE}/bench_random.password")" | write_secret "${STATE}/proxy-client.cnf"
    fi
    if uses sqlgate-chain; then
        start_chain
    fi

    wait_until 20 services_ready || die "the proxies were not ready within 20 s; see ${OUT}/*.log"
}

# services_ready: every process start_services started serves; dies when one has exited.
# shellcheck disable=SC2317 # called through wait_until
services_ready() {
    local ready=1
    if [[ -n "${ROLE_PIDS[haproxy]:-}" ]]; then
        pid_alive "${ROLE_PIDS[haproxy]}" || die "HAProxy exited; see ${OUT}/haproxy.log"
        port_open "$HAPROXY_ADDR" "$HAPROXY_RO_PORT" || ready=0
    fi
    if [[ -n "${ROLE_PIDS[sqlgate_gatekeeper]:-}" ]]; then
        pid_alive "${ROLE_PIDS[sqlgate_chain_proxy]}" || die "the chain's proxy exited; see ${OUT}/chain-proxy.log"
        pid_alive "${ROLE_PIDS[sqlgate_trusted]}" || die "the trusted host exited; see ${OUT}/trusted-host.log"
        pid_alive "${ROLE_PIDS[sqlgate_gatekeeper]}" || die "the gatekeeper exited; see ${OUT}/gatekeeper.log"
        # Ready when a random read through the whole chain, over verified TLS, reaches a replica.
        [[ "$(mariadb --defaults-extra-file="${STATE}/chain-client.cnf" -N -B \
            -e 'SELECT @@server_id' 2>/dev/null)" =~ ^[2-9] ]] || ready=0
    fi
    if [[ -n "${ROLE_PIDS[sqlgate_proxy]:-}" ]]; then
        pid_alive "${ROLE_PIDS[sqlgate_proxy]}" || die "the sqlgate proxy exited; see ${OUT}/proxy.log"
        # Ready when a random read reaches a replica: the monitor has seen them.
        [[ "$(mariadb --defaults-extra-file="${STATE}/proxy-client.cnf" -N -B \
            -e 'SELECT @@server_id' 2>/dev/null)" =~ ^[2-9] ]] || ready=0
    fi
    ((ready))
}
start_services
PIDS_MARIADB=""
for ((k = 1; k <= CLUSTER_NODES; k++)); do
    p="NODE_${k}_PID"
    PIDS_MARIADB+="${!p} "
done
ROLE_PIDS[mariadb]="$PIDS_MARIADB"

# ---------------------------------------------------------------------------------------
# Measuring

# cpu_ticks PIDS...: utime + stime of the processes (all their threads), in clock ticks.
cpu_ticks() {
    local pid s total=0
    local -a f
    for pid in "$@"; do
        s=$(<"/proc/${pid}/stat") 2>/dev/null || continue
        s=${s##*) }
        read -r -a f <<<"$s"
        total=$((total + f[11] + f[12]))
    done
    printf '%s' "$total"
}

# The columns (one per line in bench/lib/columns.txt) are documented in bench/README.md.
paste -sd, "${BENCH_DIR}/lib/columns.txt" >"${OUT}/results.csv"

# run_sysbench PATH WORKLOAD THREADS LOG: one sysbench run of WORKLOAD on PATH, its output in
# LOG. Run it in a subshell: for the TLS path it changes directory (see path_tls).
run_sysbench() {
    local pth="$1" wl="$2" threads="$3" log="$4" test opts kind
    test="$(workload_field "$wl" 2)" opts="$(workload_field "$wl" 3)" kind="$(workload_field "$wl" 4)"
    if path_tls "$pth"; then cd "$CHAIN_SB_DIR" || return 1; fi
    # shellcheck disable=SC2086
    sysbench --config-file="$(sb_config "$pth" "$kind")" --tables="$TABLES" --table_size="$ROWS" \
        $opts --threads="$threads" --time="$TIME_S" --events=0 --report-interval=0 \
        --histogram=off "$test" run >"$log" 2>&1
}

# run_point PATH WORKLOAD THREADS REP: one sysbench run; appends a row to results.csv.
run_point() {
    local pth="$1" wl="$2" threads="$3" rep="$4"
    local test opts tag log started
    test="$(workload_field "$wl" 2)" opts="$(workload_field "$wl" 3)"
    tag="${wl}-${pth}-t${threads}-r${rep}"
    log="${OUT}/logs/${tag}.log"
    mkdir -p "${OUT}/logs"
    local role
    local -A before=()
    for role in "${!ROLE_PIDS[@]}"; do
        # shellcheck disable=SC2086
        before[$role]=$(cpu_ticks ${ROLE_PIDS[$role]})
    done
    local -a sys_before sys_after
    read -r -a sys_before < <(head -n 1 /proc/stat)
    started="$(date -u +%FT%TZ)"
    # The subshell waits for sysbench, then reads its own children's CPU (cutime+cstime).
    (
        rc=0
        run_sysbench "$pth" "$wl" "$threads" "$log" || rc=$?
        read -r st <"/proc/${BASHPID}/stat"
        st=${st##*) }
        read -r -a f <<<"$st"
        printf '%s %s\n' "$rc" "$((f[13] + f[14]))" >"${log}.rc"
    ) &
    SB_WRAPPER_PID=$!
    wait "$SB_WRAPPER_PID" || true
    SB_WRAPPER_PID=""
    local -A delta=()
    for role in "${!ROLE_PIDS[@]}"; do
        # shellcheck disable=SC2086
        delta[$role]=$(($(cpu_ticks ${ROLE_PIDS[$role]}) - before[$role]))
    done
    read -r -a sys_after < <(head -n 1 /proc/stat)
    local rc sb_ticks
    read -r rc sb_ticks <"${log}.rc"
    delta[sysbench]=$sb_ticks
    # CPU of everything else on the machine during the point (user+nice+system of the whole
    # machine minus the processes measured): a build or test next door shows up here.
    local ours=0 all
    for role in "${!delta[@]}"; do ours=$((ours + delta[$role])); done
    all=$(((sys_after[1] + sys_after[2] + sys_after[3]) - (sys_before[1] + sys_before[2] + sys_before[3])))
    local cpu_list="" path_ticks=0 path_has=0
    for role in $(path_roles "$pth"); do
        [[ -n "${delta[$role]:-}" ]] && path_has=1 && path_ticks=$((path_ticks + delta[$role]))
    done
    ((path_has)) && cpu_list="path=${path_ticks}"
    for role in "${ROLES[@]}"; do
        [[ -n "${delta[$role]:-}" ]] && cpu_list+=" ${role}=${delta[$role]}"
    done
    local skip_trx=""
    [[ "$opts" == *skip_trx=on* ]] && skip_trx=on
    [[ "$opts" == *skip_trx=off* ]] && skip_trx=off
    awk -f "${BENCH_DIR}/lib/parse_sysbench.awk" \
        -v run_id="$STAMP" -v started="$started" -v path="$pth" -v workload="$wl" -v test="$test" \
        -v skip_trx="$skip_trx" -v threads="$threads" -v rep="$rep" -v rc="$rc" \
        -v clk_tck="$CLK_TCK" -v cpu="$cpu_list" -v foreign_ticks="$((all - ours))" \
        "$log" >>"${OUT}/results.csv"
    tail -n 1 "${OUT}/results.csv" | awk -F, '{ printf "    %-20s %-14s t=%-3s r=%s  %s  tps %s  qps %s  p95 %s ms  errors %s  path CPU %s us/stmt\n", $3, $4, $7, $8, $10, $13, $14, $17, $19, ($21 == "" ? "-" : $21) }'
    # The gatekeeper audits every statement: its refusals are kept (chain-refused.log, the
    # statement's digest and the rule), the rest dropped after each point to bound the file.
    if [[ "$pth" == sqlgate-chain && -s "$CHAIN_AUDIT" ]]; then
        local refused
        refused=$(grep -c '"verdict":"reject"' "$CHAIN_AUDIT" || true)
        if ((refused > 0)); then
            grep '"verdict":"reject"' "$CHAIN_AUDIT" >>"${OUT}/chain-refused.log"
            echo "    warning: the gatekeeper refused ${refused} statement(s) of ${tag}; see ${OUT}/chain-refused.log" >&2
        fi
        : >"$CHAIN_AUDIT"
    fi
}

points=0
for wl in "${WORKLOAD_LIST[@]}"; do
    kind="$(workload_field "$wl" 4)"
    for pth in "${RUN_PATHS[@]}"; do path_serves "$pth" "$kind" && points=$((points + 1)); done
done
points=$((points * ${#THREAD_LIST[@]} * REPS))
{
    echo "preset=${PRESET}"
    echo "settings=${TABLES} table(s) x ${ROWS} rows, ${TIME_S} s per point, threads ${THREADS}, workloads ${WORKLOADS}"
    echo "reps=${REPS}"
    echo "ps_mode=${PS_MODE}"
    echo "event_loop_threads=proxy ${PROXY_THREADS:-default}, gatekeeper and trusted host ${FRONT_THREADS:-default}"
    echo "paths=${RUN_PATHS[*]}"
    echo "background_cpu=${BACKGROUND_CPU}% of one core used by other processes just before the run (busiest: ${BACKGROUND_TOP})"
    for pth in "${!SKIPPED[@]}"; do echo "skipped=${pth}: ${SKIPPED[$pth]}"; done
    echo "machine=$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
    echo "versions=MariaDB $(mariadbd --version 2>/dev/null | awk '{ print $3 }' || true) / $(sysbench --version) / $(haproxy -v 2>/dev/null | awk 'NR == 1 { print "HAProxy " $3 }')"
    echo "sqlgate=${BINARY#"${ROOT}/"} (sha256 $(sha256sum "$BINARY" | cut -c1-12), built $(date -u -r "$BINARY" +%FT%TZ)); checkout $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' with uncommitted changes in src/')"
} >"${OUT}/meta.txt"
step "measuring ${points} points of ${TIME_S} s (paths interleaved: ${RUN_PATHS[*]}) -> ${OUT}"

# rss_kib PID: the process's anonymous resident memory (heap, stacks), in KiB.
rss_kib() {
    awk '/^RssAnon:/ { print $2 }' "/proc/$1/status"
}

# backend_connections: how many connections the sqlgate proxy's backend account has open
# on each server, "name=count" separated by spaces.
backend_connections() {
    local k name_var out=""
    for ((k = 1; k <= CLUSTER_NODES; k++)); do
        name_var="NODE_${k}_NAME"
        out+="${!name_var}=$(cluster_admin_sql "$k" -N -B <<<"SELECT COUNT(*) FROM \
            information_schema.PROCESSLIST WHERE USER = '${CLUSTER_PROXY_USER}'") "
    done
    printf '%s' "${out% }"
}

# measure_connections: the --connections mode. Per repetition, one sysbench run without the
# idle clients, then one with them, side by side.
measure_connections() {
    local csv="${OUT}/connections.csv" wl="${WORKLOAD_LIST[0]}" threads="${THREAD_LIST[0]}"
    local proxy_pid="${ROLE_PIDS[sqlgate_proxy]}" rep idle_log line
    local rss_before rss_idle tps_without tps_with connected failed still backends
    echo "rep,idle_requested,idle_connected,idle_failed,idle_still_open,proxy_rss_kib_before,proxy_rss_kib_with_idle,kib_per_idle_client,backend_connections,tps_without,tps_with,ratio" >"$csv"
    for ((rep = 1; rep <= REPS; rep++)); do
        step "${wl}, ${threads} threads, repetition ${rep}: without, then with ${CONNECTIONS} idle clients"
        wait_idle
        run_point sqlgate-random "$wl" "$threads" "$rep"
        tps_without="$(tail -n 1 "${OUT}/results.csv" | cut -d, -f13)"
        rss_before="$(rss_kib "$proxy_pid")"
        idle_log="${OUT}/logs/idle-clients-r${rep}.log"
        "$BINARY" idle-clients --defaults-file "${STATE}/proxy-client.cnf" \
            --connections "$CONNECTIONS" --seconds 86400 >"$idle_log" 2>&1 &
        IDLE_CLIENTS_PID=$!
        wait_until 600 grep -q '^connected=' "$idle_log" ||
            die "the idle clients did not finish connecting within 600 s; see ${idle_log}"
        line="$(grep '^connected=' "$idle_log")"
        connected="$(sed -E 's/^connected=([0-9]+).*/\1/' <<<"$line")"
        failed="$(sed -E 's/.* failed=([0-9]+).*/\1/' <<<"$line")"
        rss_idle="$(rss_kib "$proxy_pid")"
        backends="$(backend_connections)"
        echo "    ${line}; proxy memory ${rss_before} -> ${rss_idle} KiB; backend connections: ${backends}"
        run_point sqlgate-random "$wl" "$threads" "$rep"
        tps_with="$(tail -n 1 "${OUT}/results.csv" | cut -d, -f13)"
        kill -TERM "$IDLE_CLIENTS_PID" 2>/dev/null || true
        wait "$IDLE_CLIENTS_PID" || true
        IDLE_CLIENTS_PID=""
        still="$(sed -nE 's/^still_open=([0-9]+)/\1/p' "$idle_log")"
        awk -v rep="$rep" -v n="$CONNECTIONS" -v c="$connected" -v f="$failed" -v s="${still:-0}" \
            -v b="$rss_before" -v i="$rss_idle" -v conns="$backends" -v t0="$tps_without" \
            -v t1="$tps_with" 'BEGIN {
                printf "%s,%s,%s,%s,%s,%s,%s,%.1f,\"%s\",%s,%s,%.3f\n", rep, n, c, f, s, b, i,
                    (c > 0 ? (i - b) / c : 0), conns, t0, t1, (t0 > 0 ? t1 / t0 : 0)
            }' >>"$csv"
        echo "    $(tail -n 1 "$csv")"
    done
}

# measure_syscalls: the --syscalls mode. Each point runs sysbench with strace -c attached to
# the path's own processes (all their threads); syscalls per statement is their total over
# sysbench's statement count.
measure_syscalls() {
    local csv="${OUT}/syscalls.csv" wl threads rep pth kind log trace
    local -a pids strace_args
    local strace_pid calls statements pid top
    echo "path,workload,threads,rep,syscalls,statements,syscalls_per_statement,commonest" >"$csv"
    mkdir -p "${OUT}/logs"
    for wl in "${WORKLOAD_LIST[@]}"; do
        kind="$(workload_field "$wl" 4)"
        for threads in "${THREAD_LIST[@]}"; do
            step "${wl}, ${threads} thread(s): syscalls per statement"
            for ((rep = 1; rep <= REPS; rep++)); do
                for pth in "${RUN_PATHS[@]}"; do
                    path_serves "$pth" "$kind" || continue
                    pids=()
                    for role in $(path_roles "$pth"); do
                        # shellcheck disable=SC2206 # a role may have several processes
                        pids+=(${ROLE_PIDS[$role]})
                    done
                    ((${#pids[@]})) || continue
                    strace_args=()
                    for pid in "${pids[@]}"; do strace_args+=(-p "$pid"); done
                    log="${OUT}/logs/syscalls-${wl}-${pth}-t${threads}-r${rep}.log"
                    trace="${log%.log}.strace"
                    strace -c -S calls -f -o "$trace" "${strace_args[@]}" 2>/dev/null &
                    strace_pid=$!
                    sleep 1  # attached to every thread
                    (run_sysbench "$pth" "$wl" "$threads" "$log") || true
                    kill -INT "$strace_pid" 2>/dev/null || true
                    wait "$strace_pid" || true
                    calls="$(awk '$NF == "total" { print $4 }' "$trace")"
                    statements="$(awk '$1 == "total:" { print $2; exit }' "$log")"
                    # Sorted by calls (-S calls): the first four are the commonest.
                    top="$(awk 'NR > 2 && $NF != "total" && $1 ~ /^[0-9.]+$/ && n < 4 \
                        { printf "%s%s=%s", (n++ ? " " : ""), $NF, $4 }' "$trace")"
                    awk -v p="$pth" -v w="$wl" -v t="$threads" -v r="$rep" -v c="${calls:-0}" \
                        -v s="${statements:-0}" -v top="$top" 'BEGIN {
                            printf "%s,%s,%s,%s,%s,%s,%.2f,\"%s\"\n", p, w, t, r, c, s,
                                (s > 0 ? c / s : 0), top
                        }' >>"$csv"
                    echo "    $(tail -n 1 "$csv")"
                done
            done
        done
    done
}

if ((SYSCALLS)); then
    measure_syscalls
    echo "waited_for_other_work_s=${WAITED_S}" >>"${OUT}/meta.txt"
    step "done: ${OUT}/syscalls.csv"
    exit 0
fi

if ((CONNECTIONS > 0)); then
    measure_connections
    echo "waited_for_other_work_s=${WAITED_S}" >>"${OUT}/meta.txt"
    step "done: ${OUT}/connections.csv"
    exit 0
fi

for wl in "${WORKLOAD_LIST[@]}"; do
    kind="$(workload_field "$wl" 4)"
    for threads in "${THREAD_LIST[@]}"; do
        step "${wl}, ${threads} thread(s)"
        for ((rep = 1; rep <= REPS; rep++)); do
            for pth in "${RUN_PATHS[@]}"; do
                path_serves "$pth" "$kind" || continue
                wait_idle
                run_point "$pth" "$wl" "$threads" "$rep"
            done
        done
    done
done
echo "waited_for_other_work_s=${WAITED_S}" >>"${OUT}/meta.txt"

step "summary and plots"
"${BENCH_DIR}/summarize.sh" "$OUT"
if ((CHECK_OUTPUT)); then
    "${BENCH_DIR}/check_output.sh" "$OUT"
fi
step "done: ${OUT}/summary.md"
