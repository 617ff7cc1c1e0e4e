#!/usr/bin/env bash
# The whole local demo in one command: install, build, start a MariaDB primary with three
# GTID replicas, start the proxy in front of them, run the demo workload, print the report.
#
#   scripts/run.sh          set up (or reuse) everything and run the demo; leaves it running
#   scripts/run.sh down     stop the proxy and the cluster (by the pids this script recorded)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/proxy_config.sh

LOCAL="${SQLGATE_STATE}/local"
PROXY_ADDRESS=127.0.10.3
PROXY_PORT=3306
DEMO_USER=demo
BINARY=build/src/cli/sqlgate
CLUSTER_ENV="${SQLGATE_STATE}/cluster/cluster.env"

# The pid in LOCAL/proxy.pid if it is a live sqlgate proxy this script started.
proxy_pid() {
    local pid
    pid=$(cat "${LOCAL}/proxy.pid" 2>/dev/null) || return 1
    [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -q "sqlgate proxy" &&
        printf '%s' "$pid"
}

stop_proxy() {
    local pid
    pid=$(proxy_pid) || return 0
    kill -TERM "$pid"
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "${LOCAL}/proxy.pid"
}

if [[ "${1:-}" == "down" ]]; then
    step "stopping the proxy"
    stop_proxy
    step "stopping the cluster"
    scripts/cluster.sh down
    exit 0
fi
[[ $# -eq 0 ]] || die "unknown argument '$1' (use no argument, or 'down')"

step "setup: packages and build"
scripts/setup.sh
step "cluster: a primary and 3 replicas on 127.0.20.1-4"
scripts/cluster.sh up
# shellcheck disable=SC1090
source "$CLUSTER_ENV"

mkdir -p "$LOCAL"
chmod 700 "$LOCAL"
if [[ ! -s "${LOCAL}/demo.password" ]]; then
    (umask 077 && openssl rand -hex 12 | tr -d '\n' >"${LOCAL}/demo.password")
fi
demo_hash=$("$BINARY" hash-password <"${LOCAL}/demo.password")

step "proxy: writing ${LOCAL}/proxy.toml"
{
    render_proxy_config scripts/run.sh "$PROXY_ADDRESS" "$PROXY_PORT" "$CLUSTER_CLIENT_HOST"
    render_proxy_user "$DEMO_USER" "$demo_hash"
} >"${LOCAL}/proxy.toml"
"$BINARY" proxy --config "${LOCAL}/proxy.toml" --check >/dev/null

stop_proxy
if (exec 3<>"/dev/tcp/${PROXY_ADDRESS}/${PROXY_PORT}") 2>/dev/null; then
    die "${PROXY_ADDRESS}:${PROXY_PORT} is already in use by another program; stop it and run again"
fi
step "proxy: starting on ${PROXY_ADDRESS}:${PROXY_PORT} (log: ${LOCAL}/proxy.log)"
setsid "$BINARY" proxy --config "${LOCAL}/proxy.toml" >"${LOCAL}/proxy.log" 2>&1 </dev/null &
echo $! >"${LOCAL}/proxy.pid"

cat >"${LOCAL}/client.cnf" <<CNF
# The demo user's front door; use: mariadb --defaults-extra-file=${LOCAL}/client.cnf --comments
[client]
host=${PROXY_ADDRESS}
port=${PROXY_PORT}
user=${DEMO_USER}
password=$(cat "${LOCAL}/demo.password")
CNF
chmod 600 "${LOCAL}/client.cnf"

# Ready when a random read reaches a replica: the monitor has seen them.
deadline=$((SECONDS + 15))
until [[ "$(mariadb --defaults-extra-file="${LOCAL}/client.cnf" --comments -N -B \
    -e '/* sqlgate:route=random */ SELECT @@server_id' 2>/dev/null)" =~ ^[2-9] ]]; do
    proxy_pid >/dev/null || die "the proxy exited; see ${LOCAL}/proxy.log"
    ((SECONDS < deadline)) || die "the proxy did not route reads to a replica within 15 s; see ${LOCAL}/proxy.log"
    sleep 0.1
done

step "demo workload: sqlgate send-requests"
echo
echo "sqlgate demo — proxy ${PROXY_ADDRESS}:${PROXY_PORT} -> 1 primary + $((CLUSTER_NODES - 1)) replicas (${CLUSTER_NODE_HOSTS})"
status=0
"$BINARY" send-requests --host "$PROXY_ADDRESS" --port "$PROXY_PORT" --user "$DEMO_USER" \
    --password-file "${LOCAL}/demo.password" --nodes "$CLUSTER_NODE_NAMES" || status=$?
echo
echo "connect:  mariadb --defaults-extra-file=${LOCAL}/client.cnf --comments"
echo "stop:     scripts/run.sh down"
exit "$status"
