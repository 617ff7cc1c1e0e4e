#!/usr/bin/env bash
# The local MariaDB cluster used by the demo and the integration tests: one primary and N
# GTID replicas, each a separate mariadbd on its own loopback address (port 3306).
#
#   scripts/cluster.sh up|down|status|destroy [--replicas N] [--dir DIR] [--net PREFIX]
#                      [--client-host PATTERN] [--purge]
#
# Run with --help for details. What the proxy and the tests need is in DIR/cluster.env.
set -euo pipefail

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=scripts/lib/mariadb_admin.sh
source "${SQLGATE_ROOT}/scripts/lib/mariadb_admin.sh"
# shellcheck source=scripts/lib/processes.sh
source "${SQLGATE_ROOT}/scripts/lib/processes.sh"
# shellcheck source=scripts/lib/secrets.sh
source "${SQLGATE_ROOT}/scripts/lib/secrets.sh"

PATH="${PATH}:/usr/sbin:/sbin"

readonly PORT=3306
readonly DEFAULT_REPLICAS=3
readonly DEFAULT_NET=127.0.20
readonly DEFAULT_CLIENT_HOST=127.0.10.3
readonly REPL_USER=sqlgate_repl
readonly PROXY_USER=sqlgate_proxy
readonly MONITOR_USER=sqlgate_monitor
# Ping and SELECT @@gtid_current_pos need no privilege; SHOW SLAVE|REPLICA STATUS needs
# SLAVE MONITOR (10.5.9+; REPLICA MONITOR is its alias). Failover (the proxy's [failover])
# runs STOP/START SLAVE and CHANGE MASTER (REPLICATION SLAVE ADMIN), RESET SLAVE ALL (also
# RELOAD) and sets read_only (READ_ONLY ADMIN); it never touches application data.
readonly MONITOR_GRANTS="SLAVE MONITOR, REPLICATION SLAVE ADMIN, RELOAD, READ_ONLY ADMIN"
# The heartbeat ([monitor] heartbeat_interval_ms) creates and writes one table of its own,
# by default sqlgate.heartbeat; nothing else of the monitor's writes.
readonly MONITOR_HEARTBEAT_SCHEMA=sqlgate
readonly MONITOR_HEARTBEAT_GRANTS="CREATE, INSERT, UPDATE, DELETE, SELECT"
# Bump when the template's mariadb-install-db options change.
readonly TEMPLATE_VERSION=1
TIMEOUT="${SQLGATE_CLUSTER_TIMEOUT:-30}"

usage() {
    cat <<'EOF'
Usage: scripts/cluster.sh COMMAND [options]

Commands:
  up        start the cluster and return once every replica replicates (IO and SQL
            threads running) and has caught up with the primary. Idempotent: running
            nodes are reused, missing or dead ones are (re)started and rejoin.
  down      stop the nodes this script started (SIGTERM, then SIGKILL after the
            timeout); the data is kept. With --purge the data, passwords and
            cluster.env are deleted too.
  destroy   the same as down --purge
  status    one line per node; exit status 0 when every node runs and every replica
            replicates, 3 otherwise
  start-node --node NAME
            start that one node (after it was killed) with its data and settings, and
            nothing more: unlike up, it does not make node 1 the primary again. After a
            failover the proxy rejoins a former primary as a replica itself.

Options (up remembers them in DIR/cluster.env; later commands reuse them):
  --replicas N          number of replicas (default 3)
  --dir DIR             state directory (default .sqlgate/cluster in the repository)
  --net PREFIX          three octets: primary PREFIX.1, replica i PREFIX.(i+1), all on
                        port 3306 (default 127.0.20)
  --client-host PATTERN MySQL host part of the sqlgate_proxy and sqlgate_monitor
                        accounts: the address the proxy connects from (default 127.0.10.3)
  --purge               with down: also delete the data

Environment:
  SQLGATE_CLUSTER_TIMEOUT   seconds allowed for each wait (default 30)
EOF
}

# ---------------------------------------------------------------------------------------
# Arguments and settings

cmd=""
opt_replicas="" opt_dir="" opt_net="" opt_client_host="" opt_node=""
purge=0

set_opt() {
    case "$1" in
        --replicas) opt_replicas="$2" ;;
        --dir) opt_dir="$2" ;;
        --net) opt_net="$2" ;;
        --client-host) opt_client_host="$2" ;;
        --node) opt_node="$2" ;;
    esac
}

while (($#)); do
    arg="$1"
    shift
    case "$arg" in
        up | down | status | destroy | start-node)
            [[ -z "$cmd" ]] || die "two commands given ('$cmd' and '$arg'); see --help"
            cmd="$arg"
            ;;
        --replicas | --dir | --net | --client-host | --node)
            (($#)) || die "$arg needs a value; see --help"
            set_opt "$arg" "$1"
            shift
            ;;
        --replicas=* | --dir=* | --net=* | --client-host=* | --node=*) set_opt "${arg%%=*}" "${arg#*=}" ;;
        --purge) purge=1 ;;
        -h | --help | help)
            usage
            exit 0
            ;;
        *) die "unknown argument '$arg'; see --help" ;;
    esac
done
[[ -z "$opt_node" || "$cmd" == start-node ]] || die "--node goes with start-node"
[[ -n "$cmd" ]] || {
    usage >&2
    exit 2
}
[[ "$cmd" == destroy ]] && purge=1
((purge == 0)) || [[ "$cmd" == down || "$cmd" == destroy ]] || die "--purge goes with down"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "SQLGATE_CLUSTER_TIMEOUT must be a whole number of seconds"

DIR="$(realpath -m -- "${opt_dir:-${SQLGATE_STATE}/cluster}")"
ENV_FILE="${DIR}/cluster.env"
SECRETS="${DIR}/secrets"

# recorded KEY: a value from an existing cluster.env, empty when there is none.
recorded() {
    [[ -f "$ENV_FILE" ]] || return 0
    (
        set +u
        # shellcheck source=/dev/null
        source "$ENV_FILE"
        printf '%s' "${!1}"
    )
}

NET="${opt_net:-$(recorded CLUSTER_NET)}"
NET="${NET:-$DEFAULT_NET}"
REPLICAS="${opt_replicas:-$(recorded CLUSTER_REPLICAS)}"
REPLICAS="${REPLICAS:-$DEFAULT_REPLICAS}"
CLIENT_HOST="${opt_client_host:-$(recorded CLUSTER_CLIENT_HOST)}"
CLIENT_HOST="${CLIENT_HOST:-$DEFAULT_CLIENT_HOST}"

if ! [[ "$REPLICAS" =~ ^[0-9]{1,3}$ ]] || ((10#$REPLICAS > 253)); then
    die "--replicas must be a number from 0 to 253 (got '$REPLICAS')"
fi
REPLICAS=$((10#$REPLICAS))
octet='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
[[ "$NET" =~ ^127\.${octet}\.${octet}$ ]] ||
    die "--net must be three octets of a loopback address, e.g. 127.0.20 (got '$NET')"
[[ "$CLIENT_HOST" =~ ^[A-Za-z0-9._%:/-]+$ ]] ||
    die "--client-host must be a MySQL host pattern such as 127.0.10.3 or '127.0.31.%' (got '$CLIENT_HOST')"
NODES=$((REPLICAS + 1))
# Which node is primary: node 1 until a failover moves it (up finds it again, see find_primary).
PRIMARY="$(recorded CLUSTER_PRIMARY_NODE)"
PRIMARY="${PRIMARY:-1}"

if ((EUID == 0)); then
    # mariadbd refuses to run as root: the nodes run as mysql; root administers them
    # through each node's socket (unix_socket authentication).
    RUN_USER=mysql
    ADMIN_USER=root
else
    # Without root the nodes run as the invoking user, who administers them the same way.
    RUN_USER="$(id -un)"
    ADMIN_USER="$RUN_USER"
fi

# ---------------------------------------------------------------------------------------
# Small helpers

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null ||
            die "'$tool' not found; install the MariaDB server and client (scripts/setup.sh --no-build)"
    done
}

# as_run_user CMD...: runs CMD as the user the nodes run as.
as_run_user() {
    if ((EUID == 0)); then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}

own() { if ((EUID == 0)); then chown "${RUN_USER}:${RUN_USER}" "$@"; fi; }
own_tree() { if ((EUID == 0)); then chown -R "${RUN_USER}:${RUN_USER}" "$@"; fi; }

name_of() { if (($1 == 1)); then printf primary; else printf 'replica-%d' $(($1 - 1)); fi; }
number_of() { if [[ "$1" == primary ]]; then printf 1; else printf '%d' $((${1#replica-} + 1)); fi; }
addr_of() { printf '%s.%d' "$NET" "$1"; }
link_of() { printf '%s/node-%d' "$DIR" "$1"; }
real_of() { printf '%s/node-%d' "$DATA_ROOT" "$1"; }
datadir_of() { printf '%s/data' "$(real_of "$1")"; }
sock_of() { printf '%s/mysqld.sock' "$(real_of "$1")"; }
errlog_of() { printf '%s/error.log' "$(real_of "$1")"; }
cnf_of() { printf '%s/my.cnf' "$(real_of "$1")"; }
pidfile_of() { printf '%s/mysqld.pid' "$(real_of "$1")"; }

# sql K ARGS...: runs the mariadb client as the administrator on node K's socket.
sql() {
    local k="$1"
    shift
    mariadb_admin "$(sock_of "$k")" "$ADMIN_USER" "$@"
}

# slave_field STATUS NAME: one field of `SHOW SLAVE STATUS\G` output.
slave_field() {
    sed -n "s/^ *$2: //p" <<<"$1" | head -n 1
}

slave_status() { sql "$1" --vertical --column-names -e 'SHOW SLAVE STATUS' 2>/dev/null; }

# ---------------------------------------------------------------------------------------
# Where the data lives

# The nodes' directories must be reachable by RUN_USER. A repository under /root (mode
# 700, as in CI) is not, and a Unix socket path must stay under 108 bytes: in those cases
# the nodes live in /var/tmp/sqlgate-<hash of DIR> and DIR/node-K are symlinks to them.
resolve_data_root() {
    local link
    link="$(link_of 1)"
    if [[ -L "$link" ]]; then
        DATA_ROOT="$(dirname "$(readlink "$link")")"
    elif [[ -d "$link" ]]; then
        DATA_ROOT="$DIR"
    else
        DATA_ROOT="$DIR"
        local longest="${DIR}/node-${NODES}/mysqld.sock.lock"
        if ((${#longest} > 100)) || ! as_run_user test -x "$DIR" 2>/dev/null; then
            DATA_ROOT="/var/tmp/sqlgate-$(printf '%s' "$DIR" | sha256sum | cut -c1-12)"
        fi
    fi
}

# private_dir PATH: creates PATH (mode 755) unless it exists; refuses one owned by
# someone else or a symlink (it sits in world-writable /var/tmp).
private_dir() {
    mkdir -p "$1"
    [[ -d "$1" && ! -L "$1" && -O "$1" ]] ||
        die "$1 exists but is not a directory owned by $(id -un); remove it and retry"
    chmod 755 "$1"
}

# ---------------------------------------------------------------------------------------
# Processes

# is_ours PID K: PID is a live mariadbd serving node K's datadir.
is_ours() {
    local pid="$1" k="$2" a
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    local -a argv=()
    mapfile -d '' argv 2>/dev/null <"/proc/${pid}/cmdline" || return 1
    ((${#argv[@]})) || return 1
    [[ "${argv[0]##*/}" == mariadbd || "${argv[0]##*/}" == mysqld ]] || return 1
    for a in "${argv[@]:1}"; do
        [[ "$a" == "--datadir=$(datadir_of "$k")" ]] && return 0
    done
    return 1
}

# node_alive PID NAME: is_ours for the node called NAME (a CHECK of stop_processes).
node_alive() { is_ours "$1" "$(number_of "$2")"; }

# pid_of K: prints the pid of node K's mariadbd when it runs (from its pid file, else by
# looking through /proc in case the pid file was lost).
pid_of() {
    local k="$1" p comm
    pid_from_file "$(pidfile_of "$k")" is_ours "$k" && return 0
    for p in /proc/[0-9]*; do
        comm=""
        read -r comm 2>/dev/null <"${p}/comm" || continue
        [[ "$comm" == mariadbd || "$comm" == mysqld ]] || continue
        if is_ours "${p#/proc/}" "$k"; then
            printf '%s' "${p#/proc/}"
            return 0
        fi
    done
    return 1
}

# Node numbers of every node directory in DIR, including ones beyond --replicas.
existing_nodes() {
    local d
    for d in "$DIR"/node-*; do
        [[ -e "$d" && "${d##*/node-}" =~ ^[0-9]+$ ]] && printf '%s\n' "${d##*/node-}"
    done | sort -n
}

# stop_nodes K...: SIGTERM to the running ones, wait, SIGKILL what is left.
stop_nodes() {
    local k pid
    local -a running=()
    for k in "$@"; do
        if pid="$(pid_of "$k")"; then running+=("$(name_of "$k")=${pid}"); fi
    done
    ((${#running[@]})) || return 0
    step "stopping $(for k in "${running[@]}"; do printf '%s ' "${k%=*}"; done)"
    stop_processes "$TIMEOUT" node_alive "${running[@]}" || die "could not stop: ${running[*]%=*}"
}

# addr_in_use ADDR: prints what listens on ADDR:PORT (or on the wildcard), if anything.
addr_in_use() {
    local addr="$1"
    if command -v ss >/dev/null; then
        ss -Hltnp "( sport = :${PORT} )" 2>/dev/null |
            awk -v a="${addr}:${PORT}" -v p=":${PORT}" \
                '$4 == a || $4 == "0.0.0.0" p || $4 == "*" p || $4 == "[::]" p { print; found = 1 }
                 END { exit !found }'
    else
        port_open "$addr" "$PORT" && printf 'a server accepts connections there\n'
    fi
}

# fail_node K WHAT: explains why node K failed, with the end of its error log, and exits.
fail_node() {
    local k="$1" what="$2" log
    log="$(errlog_of "$k")"
    {
        printf 'error: node %s (%s:%s) %s\n' "$(name_of "$k")" "$(addr_of "$k")" "$PORT" "$what"
        if [[ -r "$log" ]]; then
            printf -- '--- last lines of %s\n' "$log"
            tail -n 15 "$log"
            printf -- '---\n'
            if tail -n 30 "$log" | grep -q 'Address already in use\|Bind on TCP/IP port'; then
                printf 'the address %s:%s is already in use by another process (see: ss -ltnp)\n' \
                    "$(addr_of "$k")" "$PORT"
            fi
        fi
        printf 'error log: %s\n' "$log"
    } >&2
    exit 1
}

# ---------------------------------------------------------------------------------------
# Start-up

ensure_secret() { new_secret "${SECRETS}/$1.password"; }

secret() {
    local value
    value="$(<"${SECRETS}/$1.password")"
    printf '%s' "$value"
}

# One template datadir (mariadb-install-db) per MariaDB version, copied per node: parallel
# mariadb-install-db runs fail, and copying is faster anyway.
ensure_template() {
    local cache key
    if ((EUID == 0)); then cache=/var/tmp/sqlgate-cache; else cache="/var/tmp/sqlgate-cache-$(id -u)"; fi
    key="$( (
        mariadbd --version
        echo "$TEMPLATE_VERSION $RUN_USER $ADMIN_USER"
    ) | sha256sum | cut -c1-12)"
    TEMPLATE="${cache}/template-${key}"
    [[ -d "${TEMPLATE}/data/mysql" ]] && return 0
    private_dir "$cache"
    (
        flock -w "$TIMEOUT" 8 || die "another mariadb-install-db held ${cache}/.lock for ${TIMEOUT}s"
        [[ -d "${TEMPLATE}/data/mysql" ]] && exit 0
        rm -rf "${cache}"/tmp.* # left by a failed attempt (nothing else runs under the lock)
        step "initialising the template datadir (mariadb-install-db, once per MariaDB version)"
        local tmp="${cache}/tmp.$$"
        rm -rf "$tmp"
        mkdir -p "${tmp}/data"
        own "${tmp}/data"
        local -a args=(--no-defaults "--datadir=${tmp}/data" --auth-root-authentication-method=socket
            "--auth-root-socket-user=${ADMIN_USER}" --skip-test-db --skip-name-resolve
            --innodb-buffer-pool-size=64M --innodb-log-file-size=32M)
        ((EUID != 0)) || args+=("--user=${RUN_USER}")
        (cd / && mariadb-install-db "${args[@]}") >"${tmp}/install.log" 2>&1 || {
            tail -n 20 "${tmp}/install.log" >&2
            die "mariadb-install-db failed; full log in ${tmp}/install.log"
        }
        own_tree "${tmp}/data"
        mv "$tmp" "$TEMPLATE"
    ) 8>>"${cache}/.lock"
}

write_cnf() {
    local k="$1" real
    real="$(real_of "$k")"
    {
        printf '# Written by scripts/cluster.sh for node %s; rewritten on every up.\n' "$(name_of "$k")"
        printf '[mariadbd]\n'
        ((EUID != 0)) || printf 'user=%s\n' "$RUN_USER"
        printf 'datadir=%s\n' "${real}/data"
        printf 'socket=%s\n' "${real}/mysqld.sock"
        printf 'pid-file=%s\n' "${real}/mysqld.pid"
        printf 'log-error=%s\n' "${real}/error.log"
        printf 'tmpdir=%s\n' "${real}/tmp"
        printf 'bind-address=%s\n' "$(addr_of "$k")"
        printf 'port=%s\n' "$PORT"
        printf 'report-host=%s\n' "$(addr_of "$k")"
        printf 'server-id=%s\n' "$k"
        cat <<'EOF'
log-bin=binlog
relay-log=relay-bin
log-slave-updates=ON
binlog-format=ROW
gtid-strict-mode=ON
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
performance-schema=OFF
innodb-buffer-pool-size=64M
innodb-log-file-size=32M
innodb-flush-log-at-trx-commit=2
max-connections=500
# Statements and rows of 16 MiB and more cross the proxy in split packets; allow them.
max-allowed-packet=256M
# Applications create stored functions and triggers through the proxy's account, which has
# no SUPER. Row-based logging replicates what their bodies change, not the calls, so letting
# such accounts create them is safe here.
log-bin-trust-function-creators=ON
# Semi-synchronous replication, AFTER_SYNC: a commit is acknowledged to its client only once
# a replica has it, so failover (which promotes the most advanced replica) loses nothing
# acknowledged. Every node can be primary after a failover, so every node has both sides.
# After the timeout without a replica's ack the primary falls back to asynchronous
# replication (the proxy's monitor logs semi_sync_off) rather than stop taking writes.
rpl-semi-sync-master-enabled=ON
rpl-semi-sync-slave-enabled=ON
rpl-semi-sync-master-wait-point=AFTER_SYNC
rpl-semi-sync-master-timeout=3000
# After a crash, roll back the transactions no replica acknowledged and cut them from the
# binary log (prepared, never answered): a former primary then holds nothing its successor
# lacks, and can rejoin it. Without this MariaDB commits them at recovery.
init-rpl-role=SLAVE
EOF
        # Every node starts read-only, the primary too: a node that restarts takes no writes
        # until up (or the proxy, after a failover) makes the primary writable, so a former
        # primary cannot take writes beside its successor. Replication is started by up (once
        # the accounts exist) or start-node, never on its own.
        printf 'read-only=ON\nskip-slave-start=ON\n'
    } >"$(cnf_of "$k")"
}

# prepare_node K: node K's directory, data (a copy of the template) and configuration.
prepare_node() {
    local k="$1" real link
    real="$(real_of "$k")"
    link="$(link_of "$k")"
    if [[ "$DATA_ROOT" != "$DIR" ]]; then
        private_dir "$DATA_ROOT"
        [[ -L "$link" || ! -e "$link" ]] || die "$link exists and is not a symlink to $real"
        ln -sfn "$real" "$link"
    fi
    mkdir -p "${real}/tmp"
    chmod 755 "$real"
    if [[ ! -d "${real}/data/mysql" ]]; then
        ensure_template
        rm -rf "${real}/data" "${real}/data.tmp"
        cp -a "${TEMPLATE}/data" "${real}/data.tmp"
        mv "${real}/data.tmp" "${real}/data"
    fi
    write_cnf "$k"
    touch "$(errlog_of "$k")"
    own "$real" "${real}/tmp" "$(errlog_of "$k")"
}

declare -A STARTED=()

start_node() {
    local k="$1" real
    real="$(real_of "$k")"
    # The node is not running (checked by the caller): leftovers of a crash can go.
    rm -f "${real}/mysqld.sock" "${real}/mysqld.sock.lock" "${real}/mysqld.pid"
    printf '%s scripts/cluster.sh: starting %s\n' "$(date '+%F %T')" "$(name_of "$k")" >>"$(errlog_of "$k")"
    # (Without the lock on descriptor 9, which the node would otherwise hold while it runs.)
    start_detached --append "$(errlog_of "$k")" \
        mariadbd "--defaults-file=$(cnf_of "$k")" "--datadir=${real}/data" 9>&-
    STARTED[$k]=$STARTED_PID
}

# node_answers K: node K answers on its socket (administrator via unix_socket); dies when a
# node this script started has exited.
node_answers() {
    local k="$1"
    sql "$k" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    # (kill -0 would not do: an exited child stays a zombie until this script ends.)
    if [[ -n "${STARTED[$k]:-}" ]] && ! is_ours "${STARTED[$k]}" "$k"; then
        fail_node "$k" "exited during start-up"
    fi
    return 1
}

wait_node() {
    wait_until "$TIMEOUT" node_answers "$1" ||
        fail_node "$1" "did not accept connections on $(sock_of "$1") within ${TIMEOUT}s"
}

ensure_accounts() {
    # MariaDB has no MASTER_BIND, so on loopback a replica connects from 127.0.0.1 (the
    # kernel's choice), not from its own address; NET.% covers a replica that binds.
    local -a repl_hosts=(127.0.0.1 "${NET}.%")
    local -a want=("${REPL_USER}@127.0.0.1" "${REPL_USER}@${NET}.%"
        "${PROXY_USER}@${CLIENT_HOST}" "${MONITOR_USER}@${CLIENT_HOST}")
    local stmts="" user host acct
    # Accounts of ours left with another host (an earlier --net or --client-host) go.
    while IFS=$'\t' read -r user host; do
        [[ -n "$user" ]] || continue
        acct="${user}@${host}"
        [[ " ${want[*]} " == *" ${acct} "* ]] ||
            stmts+="DROP USER IF EXISTS $(sql_str "$user")@$(sql_str "$host");"
    done < <(sql "$PRIMARY" -e "SELECT user, host FROM mysql.global_priv WHERE user IN \
        ('${REPL_USER}', '${PROXY_USER}', '${MONITOR_USER}')")
    local name grants pw
    for acct in "${REPL_USER}|${repl_hosts[0]}|REPLICATION SLAVE|replication" \
        "${REPL_USER}|${repl_hosts[1]}|REPLICATION SLAVE|replication" \
        "${PROXY_USER}|${CLIENT_HOST}|${APPLICATION_GRANTS}|proxy" \
        "${MONITOR_USER}|${CLIENT_HOST}|${MONITOR_GRANTS}|monitor"; do
        IFS='|' read -r user host grants name <<<"$acct"
        pw="$(sql_str "$(secret "$name")")"
        acct="$(sql_str "$user")@$(sql_str "$host")"
        stmts+="CREATE USER IF NOT EXISTS ${acct} IDENTIFIED BY ${pw};"
        stmts+="ALTER USER ${acct} IDENTIFIED BY ${pw};"
        stmts+="GRANT ${grants} ON *.* TO ${acct};"
        [[ "$name" != monitor ]] ||
            stmts+="GRANT ${MONITOR_HEARTBEAT_GRANTS} ON \`${MONITOR_HEARTBEAT_SCHEMA}\`.* TO ${acct};"
    done
    # Statements with passwords go through stdin, not argv (visible to every local user).
    sql "$PRIMARY" <<<"$stmts" ||
        die "creating the accounts on the primary failed; error log: $(errlog_of "$PRIMARY")"
}

# find_primary: the node the others replicate from and that replicates from nobody; node 1
# when none is configured yet. After a failover (scripts/run.sh failover, or the proxy's
# own) it is another node, and up keeps it: making node 1 primary again would fork the data.
find_primary() {
    local k j st host best=1 best_count=0 count
    local -a source=()
    for k in $(seq 1 "$NODES"); do
        st="$(slave_status "$k")" || true
        source[k]="$(slave_field "$st" Master_Host)"
    done
    for k in $(seq 1 "$NODES"); do
        [[ -z "${source[k]}" ]] || continue
        count=0
        for j in $(seq 1 "$NODES"); do
            [[ "${source[j]}" != "$(addr_of "$k")" ]] || count=$((count + 1))
        done
        if ((count > best_count)); then
            best=$k
            best_count=$count
        fi
    done
    printf '%d' "$best"
}

# configure_replica K: points replica K at the primary unless it already replicates from it.
configure_replica() {
    local k="$1" st
    st="$(slave_status "$k")"
    local host user gtid io sqlt io_errno use_gtid=slave_pos
    host="$(slave_field "$st" Master_Host)"
    user="$(slave_field "$st" Master_User)"
    gtid="$(slave_field "$st" Using_Gtid)"
    io="$(slave_field "$st" Slave_IO_Running)"
    sqlt="$(slave_field "$st" Slave_SQL_Running)"
    io_errno="$(slave_field "$st" Last_IO_Errno)"
    if [[ "$host" == "$(addr_of "$PRIMARY")" && "$user" == "$REPL_USER" &&
        "$gtid" =~ ^(Slave_Pos|Current_Pos)$ && "${io_errno:-0}" != 1045 ]]; then
        [[ "$io" == Yes && "$sqlt" == Yes ]] || sql "$k" -e 'START SLAVE' >/dev/null 2>&1 || true
        return 0
    fi
    # A node that never replicated (a former primary) goes on from its own binary log.
    [[ -n "$host" ]] || use_gtid=current_pos
    sql "$k" <<<"STOP SLAVE;
        CHANGE MASTER TO MASTER_HOST=$(sql_str "$(addr_of "$PRIMARY")"), MASTER_PORT=${PORT},
            MASTER_USER=$(sql_str "$REPL_USER"), MASTER_PASSWORD=$(sql_str "$(secret replication)"),
            MASTER_USE_GTID=${use_gtid}, MASTER_CONNECT_RETRY=1;
        START SLAVE;" || fail_node "$k" "refused CHANGE MASTER / START SLAVE"
}

# wait_caught_up K TARGET DEADLINE: until replica K's threads run and it applied TARGET.
wait_caught_up() {
    local k="$1" target="$2" deadline="$3" st io sqlt
    while :; do
        st="$(slave_status "$k")" || true
        io="$(slave_field "$st" Slave_IO_Running)"
        sqlt="$(slave_field "$st" Slave_SQL_Running)"
        if [[ "$io" == Yes && "$sqlt" == Yes ]] &&
            [[ "$(sql "$k" -e "SELECT MASTER_GTID_WAIT($(sql_str "$target"), 0.2)" 2>/dev/null)" == 0 ]]; then
            return 0
        fi
        if [[ "$sqlt" == No && "$(slave_field "$st" Last_SQL_Errno)" != 0 ]] || past "$deadline"; then
            local pos
            pos="$(sql "$k" -e 'SELECT @@gtid_slave_pos' 2>/dev/null || true)"
            fail_node "$k" "is not replicating: Slave_IO_Running=${io:-?} Slave_SQL_Running=${sqlt:-?}
  gtid_slave_pos='${pos}', primary gtid_binlog_pos='${target}'
  Last_IO_Error: $(slave_field "$st" Last_IO_Error)
  Last_SQL_Error: $(slave_field "$st" Last_SQL_Error)"
        fi
        [[ "$io" == Yes && "$sqlt" == Yes ]] || sleep 0.05
    done
}

# kv KEY VALUE: a line a shell can source and a simple KEY=VALUE parser can read: plain
# values stay unquoted; anything else is single-quoted.
kv() {
    if [[ "$2" =~ ^[A-Za-z0-9_./%:,@+-]*$ ]]; then
        printf '%s=%s\n' "$1" "$2"
    else
        printf "%s='%s'\n" "$1" "${2//\'/\'\\\'\'}"
    fi
}

# write_env STATE: DIR/cluster.env (written as up starts, so that status and down know the
# settings even if up fails, and again once the cluster is up, with the pids).
write_env() {
    local k csv_names="" csv_hosts="" pid
    {
        printf '# Written by scripts/cluster.sh up on %s. Shell-sourceable KEY=VALUE; do not edit.\n' "$(date '+%F %T')"
        kv CLUSTER_STATE "$1"
        kv CLUSTER_DIR "$DIR"
        kv CLUSTER_DATA_ROOT "$DATA_ROOT"
        kv CLUSTER_NET "$NET"
        kv CLUSTER_PORT "$PORT"
        kv CLUSTER_REPLICAS "$REPLICAS"
        kv CLUSTER_NODES "$NODES"
        kv CLUSTER_CLIENT_HOST "$CLIENT_HOST"
        kv CLUSTER_ADMIN_USER "$ADMIN_USER"
        kv CLUSTER_PROXY_USER "$PROXY_USER"
        kv CLUSTER_PROXY_PASSWORD_FILE "${SECRETS}/proxy.password"
        kv CLUSTER_MONITOR_USER "$MONITOR_USER"
        kv CLUSTER_MONITOR_PASSWORD_FILE "${SECRETS}/monitor.password"
        kv CLUSTER_REPL_USER "$REPL_USER"
        kv CLUSTER_REPL_PASSWORD_FILE "${SECRETS}/replication.password"
        kv CLUSTER_PRIMARY_NODE "$PRIMARY"
        # The primary first (the demo workload compares the others with the first).
        for k in "$PRIMARY" $(seq 1 "$NODES"); do
            [[ "$k" != "$PRIMARY" || -z "$csv_names" ]] || continue
            csv_names+="${csv_names:+,}$(name_of "$k")"
            csv_hosts+="${csv_hosts:+,}$(addr_of "$k")"
        done
        kv CLUSTER_NODE_NAMES "$csv_names"
        kv CLUSTER_NODE_HOSTS "$csv_hosts"
        for ((k = 1; k <= NODES; k++)); do
            pid="$(pid_of "$k" || true)"
            kv "NODE_${k}_NAME" "$(name_of "$k")"
            kv "NODE_${k}_ROLE" "$(if ((k == PRIMARY)); then echo primary; else echo replica; fi)"
            kv "NODE_${k}_HOST" "$(addr_of "$k")"
            kv "NODE_${k}_PORT" "$PORT"
            kv "NODE_${k}_SERVER_ID" "$k"
            kv "NODE_${k}_SOCKET" "$(sock_of "$k")"
            kv "NODE_${k}_PID" "$pid"
            kv "NODE_${k}_PID_FILE" "$(pidfile_of "$k")"
            kv "NODE_${k}_DIR" "$(real_of "$k")"
            kv "NODE_${k}_DATADIR" "$(datadir_of "$k")"
            kv "NODE_${k}_ERROR_LOG" "$(errlog_of "$k")"
        done
    } >"${ENV_FILE}.tmp"
    mv -f "${ENV_FILE}.tmp" "$ENV_FILE"
}

cmd_up() {
    need mariadbd mariadb mariadb-install-db flock setsid sha256sum
    if ((EUID == 0)); then
        need runuser
        id "$RUN_USER" >/dev/null 2>&1 || die "there is no '$RUN_USER' user; install mariadb-server (scripts/setup.sh --no-build)"
    fi
    mkdir -p "$DIR"
    exec 9>>"${DIR}/.lock"
    flock -w "$TIMEOUT" 9 || die "another scripts/cluster.sh holds ${DIR}/.lock"
    resolve_data_root
    local k
    for k in $(existing_nodes); do
        [[ -O "$(real_of "$k")" || "$(stat -c %U "$(real_of "$k")" 2>/dev/null)" == "$RUN_USER" ]] ||
            die "$(real_of "$k") belongs to $(stat -c %U "$(real_of "$k")"); run this as $(stat -c %U "$(real_of "$k")") (the user that created the cluster)"
    done
    local replicas_text="no replica"
    ((REPLICAS == 0)) || replicas_text="${REPLICAS} replica(s) at ${NET}.2"
    ((REPLICAS < 2)) || replicas_text+="-${NET}.${NODES}"
    step "cluster ${DIR}: primary ${NET}.1 + ${replicas_text}, port ${PORT}; clients from ${CLIENT_HOST}"

    mkdir -p "$SECRETS"
    chmod 700 "$SECRETS"
    ensure_secret proxy
    ensure_secret monitor
    ensure_secret replication

    # Running nodes keep the addresses they were started with.
    local old_net
    old_net="$(recorded CLUSTER_NET)"
    if [[ -n "$old_net" && "$old_net" != "$NET" ]]; then
        for k in $(existing_nodes); do
            ! pid_of "$k" >/dev/null ||
                die "this cluster runs on ${old_net}.x; stop it first (scripts/cluster.sh down --dir ${DIR}) to move it to ${NET}.x"
        done
    fi

    # Nodes beyond --replicas (from an earlier, bigger cluster) are stopped, data kept.
    local -a extra=()
    for k in $(existing_nodes); do ((k <= NODES)) || extra+=("$k"); done
    ((${#extra[@]} == 0)) || stop_nodes "${extra[@]}"

    write_env starting
    local -a starting=() running=()
    local in_use
    for k in $(seq 1 "$NODES"); do
        if pid_of "$k" >/dev/null; then
            running+=("$k")
        elif in_use="$(addr_in_use "$(addr_of "$k")")"; then
            die "cannot start $(name_of "$k"): $(addr_of "$k"):${PORT} is already in use by another process:
${in_use}
stop it, or give this cluster other addresses with --net"
        else
            starting+=("$k")
        fi
    done
    if ((${#starting[@]})); then
        # Each missing node gets a copy of the template; all nodes are prepared at once.
        for k in "${starting[@]}"; do
            [[ -d "$(datadir_of "$k")/mysql" ]] || {
                ensure_template
                break
            }
        done
        local -A preparing=()
        for k in "${starting[@]}"; do
            prepare_node "$k" &
            preparing[$k]=$!
        done
        for k in "${!preparing[@]}"; do
            wait "${preparing[$k]}" || die "preparing $(name_of "$k") in $(real_of "$k") failed"
        done
    fi
    if ((${#starting[@]})); then
        step "starting $(for k in "${starting[@]}"; do printf '%s ' "$(name_of "$k")"; done)(${#running[@]} of ${NODES} already running)"
        for k in "${starting[@]}"; do start_node "$k"; done
    else
        step "all ${NODES} nodes already running"
    fi
    for k in $(seq 1 "$NODES"); do wait_node "$k"; done
    ((${#starting[@]} == 0)) || step "${#starting[@]} node(s) accept connections"

    PRIMARY="$(find_primary)"
    ((PRIMARY == 1)) || step "$(name_of "$PRIMARY") is the primary (since a failover); it stays so"
    sql "$PRIMARY" -e 'SET GLOBAL read_only = OFF' || fail_node "$PRIMARY" "refused read_only = OFF"
    ensure_accounts
    local target
    target="$(sql "$PRIMARY" -e 'SELECT @@gtid_binlog_pos')"
    local -a replicas=()
    for k in $(seq 1 "$NODES"); do ((k == PRIMARY)) || replicas+=("$k"); done
    for k in "${replicas[@]}"; do
        sql "$k" -e 'SET GLOBAL read_only = ON' || fail_node "$k" "refused read_only = ON"
        configure_replica "$k"
    done
    local deadline
    deadline="$(deadline_in "$TIMEOUT")"
    for k in "${replicas[@]}"; do wait_caught_up "$k" "$target" "$deadline"; done
    write_env up
    step "cluster up: ${NODES} node(s), all at primary GTID ${target:-<empty>}; settings in ${ENV_FILE}"
}

cmd_start_node() {
    [[ -n "$opt_node" ]] || die "start-node needs --node NAME (primary or replica-N)"
    [[ -f "$ENV_FILE" ]] || die "no cluster in ${DIR}; start it with up"
    exec 9>>"${DIR}/.lock"
    flock -w "$TIMEOUT" 9 || die "another scripts/cluster.sh holds ${DIR}/.lock"
    resolve_data_root
    local k
    [[ "$opt_node" == primary || "$opt_node" =~ ^replica-[1-9][0-9]*$ ]] ||
        die "--node must be primary or replica-N (got '$opt_node')"
    k="$(number_of "$opt_node")"
    ((k <= NODES)) || die "this cluster has no ${opt_node} (${REPLICAS} replicas)"
    if pid_of "$k" >/dev/null; then
        step "${opt_node} already runs"
        return 0
    fi
    prepare_node "$k"
    start_node "$k"
    wait_node "$k"
    # A replica goes on replicating; a node without replication settings (a former primary)
    # stays read-only, for the proxy to rejoin.
    [[ -z "$(slave_field "$(slave_status "$k")" Master_Host)" ]] || sql "$k" -e 'START SLAVE' ||
        fail_node "$k" "refused START SLAVE"
    write_env up
    step "${opt_node} started; its replication is as it was"
}

cmd_down() {
    [[ -d "$DIR" ]] || {
        step "no cluster in ${DIR}"
        return 0
    }
    exec 9>>"${DIR}/.lock"
    flock -w "$TIMEOUT" 9 || die "another scripts/cluster.sh holds ${DIR}/.lock"
    resolve_data_root
    local -a nodes
    mapfile -t nodes < <(existing_nodes)
    if ((${#nodes[@]})); then stop_nodes "${nodes[@]}"; fi
    if ((purge)); then
        local k real
        for k in "${nodes[@]}"; do
            real="$(real_of "$k")"
            rm -rf "$real"
            rm -f "$(link_of "$k")"
        done
        if [[ "$DATA_ROOT" == /var/tmp/sqlgate-* && "$DATA_ROOT" != "$DIR" ]]; then
            rmdir "$DATA_ROOT" 2>/dev/null || true
        fi
        rm -rf "$SECRETS"
        rm -f "$ENV_FILE" "${DIR}/.lock"
        rmdir "$DIR" 2>/dev/null || true
        step "cluster stopped and purged (${DIR})"
    else
        if [[ -f "$ENV_FILE" ]]; then
            sed -i -e 's/^CLUSTER_STATE=.*/CLUSTER_STATE=down/' -e 's/^\(NODE_[0-9]*_PID\)=.*/\1=/' "$ENV_FILE"
        fi
        step "cluster stopped; data kept in ${DATA_ROOT} (scripts/cluster.sh down --purge deletes it)"
    fi
}

cmd_status() {
    if [[ ! -d "$DIR" ]] || [[ -z "$(existing_nodes)" ]]; then
        printf 'no cluster in %s\n' "$DIR"
        return 3
    fi
    resolve_data_root
    local healthy=1 saved_health k pid state io sqlt lag gtid st
    local fmt='%-10s %-13s %-16s %-9s %-8s %-4s %-4s %-5s %s\n'
    printf 'cluster %s (clients from %s)\n' "$DIR" "$CLIENT_HOST"
    # shellcheck disable=SC2059
    printf "$fmt" NODE STATE ADDRESS SERVER_ID PID IO SQL LAG GTID
    local -a nodes
    mapfile -t nodes < <(
        existing_nodes
        seq 1 "$NODES"
    )
    mapfile -t nodes < <(printf '%s\n' "${nodes[@]}" | sort -nu)
    for k in "${nodes[@]}"; do
        io=- sqlt=- lag=- gtid=-
        saved_health="$healthy" # nodes beyond --replicas (kept data, stopped) do not count
        if pid="$(pid_of "$k")"; then
            if sql "$k" -e 'SELECT 1' >/dev/null 2>&1; then
                state=running
                if ((k == PRIMARY)); then
                    gtid="$(sql "$k" -e 'SELECT @@gtid_binlog_pos' 2>/dev/null || true)"
                else
                    st="$(slave_status "$k" || true)"
                    io="$(slave_field "$st" Slave_IO_Running)"
                    sqlt="$(slave_field "$st" Slave_SQL_Running)"
                    lag="$(slave_field "$st" Seconds_Behind_Master)"
                    gtid="$(sql "$k" -e 'SELECT @@gtid_slave_pos' 2>/dev/null || true)"
                    [[ "$io" == Yes && "$sqlt" == Yes ]] || healthy=0
                    io="${io:-none}" sqlt="${sqlt:-none}" lag="${lag:-NULL}"
                fi
            else
                state=hung
                healthy=0
            fi
        else
            pid=- state=stopped
            healthy=0
        fi
        if ((k > NODES)); then
            state="${state},extra"
            healthy="$saved_health"
        fi
        # shellcheck disable=SC2059
        printf "$fmt" "$(name_of "$k")" "$state" "$(addr_of "$k"):${PORT}" "$k" "$pid" "$io" "$sqlt" "$lag" "${gtid:--}"
    done
    ((healthy)) || return 3
}

case "$cmd" in
    up) cmd_up ;;
    start-node) cmd_start_node ;;
    down | destroy) cmd_down ;;
    status) cmd_status ;;
esac
