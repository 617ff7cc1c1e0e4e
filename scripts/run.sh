#!/usr/bin/env bash
# The whole local demo in one command: install, build, start a MariaDB primary with three
# GTID replicas, then the chain in front of them (gatekeeper -> trusted host -> proxy, mutual
# TLS between the hops), run the demo workload through the gatekeeper, print the report.
#
#   scripts/run.sh          set up (or reuse) everything and run the demo; leaves it running
#   scripts/run.sh --http   the same, with the workload sent through the HTTP API
#   scripts/run.sh failover a failover drill on the running stack: the primary killed under a
#                           mixed load, the timeline and a check that no acknowledged write is lost
#   scripts/run.sh down     stop the roles and the cluster (by the pids this script recorded)
#   scripts/run.sh aws      the same system on AWS with Terraform (see scripts/aws.sh)
#   scripts/run.sh aws-destroy   tear the AWS deployment down
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    aws | aws-destroy) exec bash scripts/aws.sh "$@" ;;
    failover) exec bash scripts/failover_drill.sh ;;
esac
source scripts/lib/common.sh
source scripts/lib/proxy_config.sh
source scripts/lib/chain_config.sh
source scripts/lib/mariadb_admin.sh
source scripts/lib/processes.sh
source scripts/lib/prometheus.sh
source scripts/lib/secrets.sh

LOCAL="${SQLGATE_STATE}/local"
CHAIN_CERTS="${LOCAL}/certs"
GATEKEEPER_ADDRESS=127.0.10.1
TRUSTED_HOST_ADDRESS=127.0.10.2
PROXY_ADDRESS=127.0.10.3
GATEKEEPER_PORT=3306
HTTP_PORT=8443
TRUSTED_HOST_PORT=3306
PROXY_PORT=3306
# Admin listeners on 127.0.0.1 (/healthz, /readyz, /metrics, /status; the proxy's
# switchover): one port per role.
ADMIN_PORT=9190
GATEKEEPER_ADMIN_PORT=9191
TRUSTED_HOST_ADMIN_PORT=9192
# The gatekeeper's dashboard (http://127.0.0.1:9191/) shows the other two roles' status too.
GATEKEEPER_ADMIN_PEERS="\"127.0.0.1:${TRUSTED_HOST_ADMIN_PORT}\", \"127.0.0.1:${ADMIN_PORT}\""
PROMETHEUS_LISTEN=127.0.0.1:9099  # Debian's prometheus, scraping the three admin listeners
DEMO_USER=demo
BINARY=build/src/cli/sqlgate
CLUSTER_ENV="${SQLGATE_STATE}/cluster/cluster.env"
ROLES=(gatekeeper trusted-host proxy)

# role_alive PID ROLE: PID is a live `sqlgate ROLE`.
# shellcheck disable=SC2317 # called through pid_from_file and stop_processes
role_alive() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "sqlgate $2 "; }

# The pid in LOCAL/ROLE.pid if it is a live sqlgate ROLE this script started.
role_pid() { pid_from_file "${LOCAL}/$1.pid" role_alive "$1"; }

stop_role() {
    local role="$1" pid
    pid=$(role_pid "$role") || return 0
    stop_processes 5 role_alive "${role}=${pid}" || true
    rm -f "${LOCAL}/${role}.pid"
}

# role_listening ROLE ADDRESS PORT: the role accepts connections; dies when it has exited.
# shellcheck disable=SC2317 # called through wait_until
role_listening() {
    port_open "$2" "$3" && return 0
    role_pid "$1" >/dev/null || die "the $1 exited; see ${LOCAL}/$1.log"
    return 1
}

# start_role ROLE ADDRESS PORT: checks the config, then starts the role in the background.
start_role() {
    local role="$1" address="$2" port="$3"
    "$BINARY" "$role" --config "${LOCAL}/${role}.toml" --check >/dev/null
    ensure_port_free "$address" "$port"
    step "${role}: starting on ${address}:${port} (log: ${LOCAL}/${role}.log)"
    start_detached --pid-file "${LOCAL}/${role}.pid" "${LOCAL}/${role}.log" \
        "$BINARY" "$role" --config "${LOCAL}/${role}.toml"
    wait_until 10 role_listening "$role" "$address" "$port" ||
        die "the ${role} did not listen within 10 s; see ${LOCAL}/${role}.log"
}

# chain_serves_replicas: a random read through the chain reaches a replica (the monitor has
# seen them); dies when a role has exited.
# shellcheck disable=SC2317 # called through wait_until
chain_serves_replicas() {
    [[ "$(mariadb --defaults-extra-file="${LOCAL}/client.cnf" --comments -N -B \
        -e '/* sqlgate:route=random */ SELECT @@server_id' 2>/dev/null)" =~ ^[2-9] ]] && return 0
    local role
    for role in "${ROLES[@]}"; do
        role_pid "$role" >/dev/null || die "the ${role} exited; see ${LOCAL}/${role}.log"
    done
    return 1
}

mode=demo
case "${1:-}" in
    down)
        step "stopping prometheus"
        stop_prometheus "${LOCAL}/prometheus"
        for role in "${ROLES[@]}"; do
            step "stopping the ${role}"
            stop_role "$role"
        done
        step "stopping the cluster"
        scripts/cluster.sh down
        exit 0
        ;;
    --http) mode=http ;;
    "") ;;
    *) die "unknown argument '$1' (use no argument, --http, 'failover', 'down', 'aws' or 'aws-destroy')" ;;
esac

step "setup: packages and build"
scripts/setup.sh
step "cluster: a primary and 3 replicas on 127.0.20.1-4"
scripts/cluster.sh up
# shellcheck disable=SC1090
source "$CLUSTER_ENV"

mkdir -p "$LOCAL"
chmod 700 "$LOCAL"
step "certificates: a local CA and one certificate per role in ${CHAIN_CERTS}"
scripts/certs.sh "$CHAIN_CERTS" gatekeeper="$GATEKEEPER_ADDRESS" \
    trusted-host="$TRUSTED_HOST_ADDRESS" proxy="$PROXY_ADDRESS"

# Three different secrets, each known to one place: the demo user's password (the person and
# the gatekeeper's hash), its API token (likewise), and the credential the trusted host logs
# in to the proxy with (the trusted host's secrets file and the proxy's hash).
new_secret "${LOCAL}/demo.password"
new_secret "${LOCAL}/api-token"
new_secret "${LOCAL}/.trusted-host-upstream.password"
demo_password=$(<"${LOCAL}/demo.password")
api_token=$(<"${LOCAL}/api-token")
upstream_password=$(<"${LOCAL}/.trusted-host-upstream.password")
demo_hash=$(printf '%s' "$demo_password" | "$BINARY" hash-password)
upstream_hash=$(printf '%s' "$upstream_password" | "$BINARY" hash-password)
token_sha256=$(printf '%s' "$api_token" | openssl dgst -sha256 -r | cut -d' ' -f1)
demo_kinds='["read", "write", "ddl"]'
demo_schema=main_db
# The demo user's schema exists before anyone logs in with it (client.cnf names it, and a
# login naming a missing schema fails): the cluster's administrator creates it on the
# primary, and replication brings it to the replicas.
primary_socket="NODE_${CLUSTER_PRIMARY_NODE}_SOCKET"
cluster_admin_sql "$CLUSTER_PRIMARY_NODE" -e "CREATE DATABASE IF NOT EXISTS \`${demo_schema}\`" ||
    die "could not create the schema ${demo_schema} on the primary (socket ${!primary_socket})"

step "configs: ${LOCAL}/{gatekeeper,trusted-host,proxy}.toml"
{
    render_proxy_config scripts/run.sh "$PROXY_ADDRESS" "$PROXY_PORT" "$CLUSTER_CLIENT_HOST" "$ADMIN_PORT"
    render_proxy_tls
    render_proxy_user "$DEMO_USER" "$upstream_hash"
} >"${LOCAL}/proxy.toml"
render_secret "$DEMO_USER" "$DEMO_USER" "$upstream_password" | write_secret "${LOCAL}/trusted-host.secrets"
{
    render_trusted_host_config "${LOCAL}/trusted-host.secrets"
    render_trusted_host_user "$DEMO_USER" "$demo_kinds" "$demo_schema"
} >"${LOCAL}/trusted-host.toml"
{
    render_gatekeeper_config "${LOCAL}/audit.log"
    render_gatekeeper_user "$DEMO_USER" "$demo_hash" "$token_sha256" "$demo_kinds" "$demo_schema"
} >"${LOCAL}/gatekeeper.toml"

for role in "${ROLES[@]}"; do stop_role "$role"; done
start_role proxy "$PROXY_ADDRESS" "$PROXY_PORT"
start_role trusted-host "$TRUSTED_HOST_ADDRESS" "$TRUSTED_HOST_PORT"
start_role gatekeeper "$GATEKEEPER_ADDRESS" "$GATEKEEPER_PORT"
step "prometheus: scraping the roles' /metrics every 5 s, on http://${PROMETHEUS_LISTEN}"
start_prometheus "${LOCAL}/prometheus" "$PROMETHEUS_LISTEN" 5s "127.0.0.1:${GATEKEEPER_ADMIN_PORT}" \
    "127.0.0.1:${TRUSTED_HOST_ADMIN_PORT}" "127.0.0.1:${ADMIN_PORT}"

write_secret "${LOCAL}/client.cnf" <<CNF
# The demo user's front door, the gatekeeper, over verified TLS:
#   mariadb --defaults-extra-file=${LOCAL}/client.cnf --comments
[client]
host=${GATEKEEPER_ADDRESS}
port=${GATEKEEPER_PORT}
user=${DEMO_USER}
password=${demo_password}
database=${demo_schema}
ssl
ssl-ca=${CHAIN_CERTS}/ca.crt
ssl-verify-server-cert
CNF

wait_until 15 chain_serves_replicas ||
    die "reads did not reach a replica through the chain within 15 s; see ${LOCAL}/*.log"

step "demo workload: sqlgate send-requests$([[ $mode == http ]] && echo ' --http')"
echo
echo "sqlgate demo — gatekeeper ${GATEKEEPER_ADDRESS}:${GATEKEEPER_PORT} -> trusted host ${TRUSTED_HOST_ADDRESS} -> proxy ${PROXY_ADDRESS} -> 1 primary + $((CLUSTER_NODES - 1)) replicas (${CLUSTER_NODE_HOSTS})"
status=0
if [[ $mode == http ]]; then
    "$BINARY" send-requests --http "https://${GATEKEEPER_ADDRESS}:${HTTP_PORT}" \
        --token-file "${LOCAL}/api-token" --ssl-ca "${CHAIN_CERTS}/ca.crt" \
        --nodes "$CLUSTER_NODE_NAMES" || status=$?
else
    "$BINARY" send-requests --defaults-file "${LOCAL}/client.cnf" \
        --nodes "$CLUSTER_NODE_NAMES" || status=$?
fi
echo
echo "connect:  mariadb --defaults-extra-file=${LOCAL}/client.cnf --comments"
echo "http:     curl --cacert ${CHAIN_CERTS}/ca.crt -H \"Authorization: Bearer \$(cat ${LOCAL}/api-token)\" -H \"Content-Type: application/json\" \\"
echo "            -d '{\"sql\": \"SELECT @@server_id\", \"route\": \"random\"}' https://${GATEKEEPER_ADDRESS}:${HTTP_PORT}/v1/query"
echo "audit:    ${LOCAL}/audit.log"
echo "metrics:  curl http://127.0.0.1:${GATEKEEPER_ADMIN_PORT}/metrics   (trusted host :${TRUSTED_HOST_ADMIN_PORT}, proxy :${ADMIN_PORT}; also /status, /readyz, /healthz)"
echo "status:   ${BINARY} status --admin 127.0.0.1:${GATEKEEPER_ADMIN_PORT} --admin 127.0.0.1:${TRUSTED_HOST_ADMIN_PORT} --admin 127.0.0.1:${ADMIN_PORT}"
echo "dashboard: http://127.0.0.1:${GATEKEEPER_ADMIN_PORT}/   (the chain, reads per server, latency, lag, refusals, events)"
echo "prometheus: http://${PROMETHEUS_LISTEN}  (e.g. sum by (server) (rate(sqlgate_proxy_statements_total[1m])))"
echo "stop:     scripts/run.sh down"
exit "$status"
