#!/usr/bin/env bash
# Boot-time setup of one sqlgate host on AWS, run once by cloud-init (runcmd) as root:
#   bootstrap.sh gatekeeper|trusted-host|proxy|database
#
# Settings come from /usr/local/lib/sqlgate/boot.env, KEY=VALUE lines that cloud-init wrote
# from Terraform; they are read as data, never evaluated. Secrets come from SSM Parameter
# Store under <parameter_prefix>/ (this role's path, the only one its instance role may read)
# and go straight to the file that needs them, or, for the password hashes in the roles'
# [[users]], through `sqlgate hash-password` so the password is not stored at all. None is
# put on a command line (every local user can read those) or in user data.
#
# Ordering between hosts is by polling with a deadline (wait_for), never by fixed sleeps: the
# database nodes, the proxy and the front roles boot in parallel.
set -Eeuo pipefail
# Errors inside $(...) stop the script too: a secret that could not be fetched must never
# become an empty password.
shopt -s inherit_errexit
umask 022
export DEBIAN_FRONTEND=noninteractive
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

readonly BOOT_DIR=/usr/local/lib/sqlgate
readonly CONF_DIR=/etc/sqlgate
readonly TLS_DIR=/etc/sqlgate/tls
readonly SECRETS_DIR=/etc/sqlgate/secrets
readonly LOG_DIR=/var/log/sqlgate
readonly SERVICE_USER=sqlgate
readonly ROLES=(gatekeeper trusted-host proxy)
ROLE="${1:-}"

# Messages go to stderr, so that functions whose output is captured stay clean; cloud-init
# keeps both streams in /var/log/cloud-init-output.log and on the serial console.
log() { printf '%s sqlgate-bootstrap[%s]: %s\n' "$(date -u +%FT%TZ)" "${ROLE:-?}" "$*" >&2; }
fail() {
    log "error: $*"
    exit 1
}
# on_error LINE: names the command that failed (its first line); set -e then stops the script.
on_error() { log "error: line $1: \"${BASH_COMMAND%%$'\n'*}\" failed; the host is not ready"; }
trap 'on_error ${LINENO}' ERR

# load_env FILE: each KEY=VALUE line becomes BOOT_KEY (upper case), the value taken as it is.
load_env() {
    local line
    [[ -r "$1" ]] || fail "cannot read $1"
    while IFS= read -r line || [[ -n "$line" ]]; do
        [[ -z "$line" || "$line" == \#* ]] && continue
        [[ "$line" =~ ^([a-z][a-z0-9_]*)=(.*)$ ]] || fail "$1: not KEY=VALUE: ${line}"
        printf -v "BOOT_${BASH_REMATCH[1]^^}" '%s' "${BASH_REMATCH[2]}"
    done <"$1"
}

# need NAME...: fails unless every BOOT_NAME setting is present and non-empty.
need() {
    local name var
    for name in "$@"; do
        var="BOOT_${name^^}"
        [[ -n "${!var:-}" ]] || fail "boot.env has no ${name}"
    done
}

# wait_for WHAT TIMEOUT_S CMD...: runs CMD until it succeeds, every 3 s, for at most TIMEOUT_S.
wait_for() {
    local what="$1" timeout="$2" start=$SECONDS
    shift 2
    until "$@"; do
        ((SECONDS - start < timeout)) || fail "gave up after ${timeout} s waiting for ${what}"
        sleep 3
    done
    log "ready after $((SECONDS - start)) s: ${what}"
}

# tcp_open HOST PORT: something accepts TCP connections there.
# shellcheck disable=SC2016 # expanded by the inner bash
tcp_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

wait_for_tcp() { wait_for "${1}:${2} to accept connections" "$3" tcp_open "$1" "$2"; }

# sql_is_1 CLIENT_ARGS... -e QUERY: the query's single value is 1. CLIENT_ARGS come first:
# the client accepts --defaults-extra-file only as its first option.
sql_is_1() { [[ "$(mariadb "$@" --connect-timeout=3 -N -B 2>/dev/null)" == 1 ]]; }

# wait_for_sql WHAT TIMEOUT_S CLIENT_ARGS... -e QUERY: polls until the query returns 1.
wait_for_sql() {
    local what="$1" timeout="$2"
    shift 2
    wait_for "$what" "$timeout" sql_is_1 "$@"
}

apt_get() {
    apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold "$@"
}

# apt_install PKG...: retried, since mirrors and the NAT path can fail for a moment at boot.
APT_UPDATED=0
apt_install() {
    if ((APT_UPDATED == 0)); then
        wait_for "the package index (apt-get update)" 600 apt_get update
        APT_UPDATED=1
    fi
    wait_for "apt-get install $*" 900 apt_get install --no-install-recommends "$@"
}

# ssm_get NAME: prints the decrypted parameter <parameter_prefix>/NAME.
ssm_get() {
    aws ssm get-parameter --region "$BOOT_REGION" --name "${BOOT_PARAMETER_PREFIX}/$1" \
        --with-decryption --query Parameter.Value --output text
}

# ssm_to_file NAME FILE: the parameter into FILE, which the caller made private.
ssm_to_file() { ssm_get "$1" >"$2" 2>/dev/null && [[ -s "$2" ]]; }

# fetch_parameter NAME FILE MODE OWNER[:GROUP]: the parameter into FILE, created with its final
# mode and owner before the value is written, and moved into place whole.
fetch_parameter() {
    local name="$1" file="$2" mode="$3" owner="$4" tmp
    tmp="$(mktemp "$(dirname "$file")/.fetch.XXXXXX")"
    chown "$owner" "$tmp"
    chmod "$mode" "$tmp"
    # The instance role's credentials can take a few seconds to appear after boot.
    wait_for "SSM parameter ${BOOT_PARAMETER_PREFIX}/${name}" 300 ssm_to_file "$name" "$tmp"
    mv -f "$tmp" "$file"
}

# ssm_fetch NAME: the parameter's value into SSM_VALUE, in memory only.
ssm_fetch() { SSM_VALUE="$(ssm_get "$1" 2>/dev/null)" && [[ -n "$SSM_VALUE" ]]; }

# secret_value NAME: prints the parameter's value (without the newline the CLI adds). Used
# through a pipe or a variable only, so the value never lands on a command line or on disk.
# Callers assign it to a variable first (pw="$(secret_value x)"): nested in another
# command's arguments, a failure would not stop the script and an empty password would be
# used.
secret_value() {
    local SSM_VALUE=""
    wait_for "SSM parameter ${BOOT_PARAMETER_PREFIX}/${1}" 300 ssm_fetch "$1"
    printf '%s' "$SSM_VALUE"
}

# sql_str TEXT: TEXT as a quoted SQL string literal.
sql_str() {
    local s="${1//\\/\\\\}"
    printf "'%s'" "${s//\'/\\\'}"
}

# toml_str TEXT: TEXT as a TOML basic string.
toml_str() {
    local s="${1//\\/\\\\}"
    printf '"%s"' "${s//\"/\\\"}"
}

# Session Manager needs the SSM agent, which Debian's images do not ship; it comes from AWS's
# regional bucket over HTTPS. Without it the host still works, so a failure only warns.
install_ssm_agent() {
    systemctl list-unit-files amazon-ssm-agent.service >/dev/null 2>&1 &&
        systemctl is-enabled amazon-ssm-agent.service >/dev/null 2>&1 && return 0
    local deb=/var/cache/amazon-ssm-agent.deb
    if curl -fsSL --retry 5 --retry-connrefused --max-time 120 -o "$deb" \
        "https://s3.${BOOT_REGION}.amazonaws.com/amazon-ssm-${BOOT_REGION}/latest/debian_amd64/amazon-ssm-agent.deb" &&
        apt_get install "$deb" >/dev/null; then
        systemctl enable --now amazon-ssm-agent.service || log "warning: the SSM agent did not start"
    else
        log "warning: could not install the SSM agent; Session Manager will not reach this host"
    fi
    rm -f "$deb"
}

# install_sqlgate: the .deb Terraform uploaded, from the private bucket (this role may read
# that one object only).
install_sqlgate() {
    need package_bucket package_key
    local dir=/var/cache/sqlgate
    install -d -m 0755 "$dir"
    wait_for "s3://${BOOT_PACKAGE_BUCKET}/${BOOT_PACKAGE_KEY}" 300 \
        aws s3api get-object --region "$BOOT_REGION" --bucket "$BOOT_PACKAGE_BUCKET" \
        --key "$BOOT_PACKAGE_KEY" "${dir}/sqlgate.deb" --output text --query ContentLength
    (cd "$dir" && wait_for "apt-get install ./sqlgate.deb" 900 apt_get install ./sqlgate.deb)
    [[ -x /usr/bin/sqlgate ]] || fail "the package did not install /usr/bin/sqlgate"
    # The package makes the service user; a package built without that must not leave the
    # services running as root, so it is made here if missing.
    id -u "$SERVICE_USER" >/dev/null 2>&1 ||
        useradd --system --user-group --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin "$SERVICE_USER"
    install -d -m 0750 -o root -g "$SERVICE_USER" "$CONF_DIR" "$TLS_DIR"
    install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$SECRETS_DIR"
    install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$LOG_DIR"
}

# fetch_tls NAME: the CA, the role's certificate (public) and its key (the service user only).
fetch_tls() {
    fetch_parameter ca_certificate "${TLS_DIR}/ca.crt" 0644 root:root
    fetch_parameter certificate "${TLS_DIR}/$1.crt" 0644 root:root
    fetch_parameter private_key "${TLS_DIR}/$1.key" 0600 "${SERVICE_USER}:${SERVICE_USER}"
}

# password_hash NAME: `sqlgate hash-password` of the parameter NAME.
password_hash() {
    local hash
    hash="$(secret_value "$1" | /usr/bin/sqlgate hash-password)"
    [[ "$hash" =~ ^\*[0-9A-F]{40}$ ]] || fail "sqlgate hash-password gave no hash for $1"
    printf '%s' "$hash"
}

# install_config ROLE: the config Terraform rendered from deploy/templates (staged by
# cloud-init) into /etc/sqlgate/ROLE.toml, mode 0640 root:sqlgate, with each
# @HASH_OF:name@ replaced by the password hash of the SSM parameter name and each
# @VALUE_OF:name@ by the parameter's value (which must fit in a TOML string as it is).
install_config() {
    local role="$1" staged="${BOOT_DIR}/$1.toml" text name value tmp
    [[ -r "$staged" ]] || fail "cloud-init wrote no ${staged}"
    text="$(<"$staged")"
    while [[ "$text" =~ @HASH_OF:([a-z0-9_]+)@ ]]; do
        name="${BASH_REMATCH[1]}"
        value="$(password_hash "$name")"
        text="${text//"@HASH_OF:${name}@"/"$value"}"
    done
    while [[ "$text" =~ @VALUE_OF:([a-z0-9_]+)@ ]]; do
        name="${BASH_REMATCH[1]}"
        value="$(secret_value "$name")"
        [[ "$value" =~ ^[A-Za-z0-9._:/+=-]+$ ]] || fail "parameter ${name} is not a plain token"
        text="${text//"@VALUE_OF:${name}@"/"$value"}"
    done
    tmp="$(mktemp "${CONF_DIR}/.${role}.toml.XXXXXX")"
    chown "root:${SERVICE_USER}" "$tmp"
    chmod 0640 "$tmp"
    printf '%s\n' "$text" >"$tmp"
    mv -f "$tmp" "${CONF_DIR}/${role}.toml"
}

# start_role ROLE ADDRESS PORT: checks the config as the service user, starts the unit and
# waits for its listener. Units of the other roles, should the package enable them, are
# stopped: one role per host.
start_role() {
    local role="$1" address="$2" port="$3" other
    runuser -u "$SERVICE_USER" -- /usr/bin/sqlgate "$role" --config "${CONF_DIR}/${role}.toml" --check ||
        fail "sqlgate ${role} --check refused ${CONF_DIR}/${role}.toml"
    for other in "${ROLES[@]}"; do
        [[ "$other" == "$role" ]] && continue
        systemctl disable --now "sqlgate-${other}.service" >/dev/null 2>&1 || true
    done
    systemctl enable "sqlgate-${role}.service"
    systemctl restart "sqlgate-${role}.service"
    wait_for_tcp "$address" "$port" 60
    log "sqlgate-${role}.service is up on ${address}:${port}"
}

front_packages() {
    apt_install awscli ca-certificates curl
    install_ssm_agent
    install_sqlgate
}

role_gatekeeper() {
    need listen_address mysql_port
    front_packages
    fetch_tls gatekeeper
    # The demo user's password is read once, hashed, and forgotten: the config keeps the hash,
    # and the API token's SHA-256 (the token itself is never on this host).
    install_config gatekeeper
    start_role gatekeeper "$BOOT_LISTEN_ADDRESS" "$BOOT_MYSQL_PORT"
}

role_trusted_host() {
    need listen_address listen_port demo_user
    front_packages
    fetch_tls trusted-host
    # The credential the proxy knows the demo user by: the one credential this host holds,
    # in a file only the service may read (the config names it; sqlgate refuses it otherwise).
    local file="${CONF_DIR}/trusted-host.secrets" tmp password
    password="$(secret_value upstream_password)"
    tmp="$(mktemp "${CONF_DIR}/.secrets.XXXXXX")"
    chown "${SERVICE_USER}:${SERVICE_USER}" "$tmp"
    chmod 0600 "$tmp"
    {
        printf '[users.%s]\nuser = %s\npassword = ' "$(toml_str "$BOOT_DEMO_USER")" "$(toml_str "$BOOT_DEMO_USER")"
        toml_str "$password"
        printf '\n'
    } >"$tmp"
    mv -f "$tmp" "$file"
    install_config trusted-host
    start_role trusted-host "$BOOT_LISTEN_ADDRESS" "$BOOT_LISTEN_PORT"
}

role_proxy() {
    need listen_address listen_port primary_address primary_port
    front_packages
    fetch_tls proxy
    fetch_parameter backend_password "${SECRETS_DIR}/backend.password" 0600 "${SERVICE_USER}:${SERVICE_USER}"
    fetch_parameter monitor_password "${SECRETS_DIR}/monitor.password" 0600 "${SERVICE_USER}:${SERVICE_USER}"
    # Failover points replicas at a new primary with the replication account.
    fetch_parameter replication_password "${SECRETS_DIR}/replication.password" 0600 "${SERVICE_USER}:${SERVICE_USER}"
    # [[users]] keeps the hash of the trusted host's credential, computed here.
    install_config proxy
    # The proxy copes with a primary that is down, but a proxy started before the database
    # exists would only log failures; the primary installs MariaDB meanwhile.
    wait_for_tcp "$BOOT_PRIMARY_ADDRESS" "$BOOT_PRIMARY_PORT" 1800
    start_role proxy "$BOOT_LISTEN_ADDRESS" "$BOOT_LISTEN_PORT"
}

# What an application served through the proxy needs: data and DDL, nothing administrative
# (as scripts/cluster.sh grants locally).
readonly PROXY_GRANTS="SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, \
CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, \
ALTER ROUTINE, TRIGGER, REFERENCES, EVENT"
# Failover: STOP/START SLAVE, CHANGE MASTER, RESET SLAVE ALL (RELOAD) and setting read_only.
readonly MONITOR_GRANTS="SLAVE MONITOR, REPLICATION SLAVE ADMIN, RELOAD, READ_ONLY ADMIN"
readonly MONITOR_HEARTBEAT_GRANTS="CREATE, INSERT, UPDATE, DELETE, SELECT"

# MariaDB as root through its socket (unix_socket authentication); statements on stdin.
db() { mariadb --protocol=socket -u root -N -B "$@"; }

slave_running() {
    local st
    st="$(db --vertical --column-names -e 'SHOW SLAVE STATUS' 2>/dev/null)" || return 1
    grep -q 'Slave_IO_Running: Yes' <<<"$st" && grep -q 'Slave_SQL_Running: Yes' <<<"$st"
}

role_database() {
    need node_index node_name private_address primary_address proxy_address \
        backend_user monitor_user replication_user demo_schema
    local index="$BOOT_NODE_INDEX"
    [[ "$index" =~ ^[0-9]+$ ]] || fail "node_index must be a number (got '${index}')"
    apt_install awscli ca-certificates curl mariadb-server mariadb-client
    install_ssm_agent

    # GTID replication as scripts/cluster.sh sets it up locally; server_id is index + 1, so
    # the primary is 1, as in the local cluster.
    {
        printf '# Written by sqlgate-bootstrap for %s; see deploy/cloud-init/bootstrap.sh.\n' "$BOOT_NODE_NAME"
        printf '[mariadbd]\n'
        printf 'server_id = %d\n' $((index + 1))
        printf 'bind_address = %s\n' "$BOOT_PRIVATE_ADDRESS"
        printf 'report_host = %s\n' "$BOOT_PRIVATE_ADDRESS"
        cat <<'EOF'
port = 3306
log_bin = binlog
relay_log = relay-bin
log_slave_updates = ON
binlog_format = ROW
gtid_strict_mode = ON
skip_name_resolve = ON
character_set_server = utf8mb4
collation_server = utf8mb4_general_ci
max_connections = 500
# Statements and rows of 16 MiB and more cross the proxy in split packets; allow them.
max_allowed_packet = 256M
# The application account (no SUPER) may create stored functions and triggers: with
# row-based logging what their bodies change replicates, not the calls.
log_bin_trust_function_creators = ON
# Semi-synchronous replication (AFTER_SYNC): a commit is acknowledged only once a replica
# has it, so failover loses nothing acknowledged. Any node may become the primary, so all
# have both sides; after the timeout the primary falls back to asynchronous replication.
rpl_semi_sync_master_enabled = ON
rpl_semi_sync_slave_enabled = ON
rpl_semi_sync_master_wait_point = AFTER_SYNC
rpl_semi_sync_master_timeout = 3000
# After a crash, roll back what no replica acknowledged (and cut it from the binary log), so
# that a former primary can rejoin its successor.
init_rpl_role = SLAVE
EOF
        # Every node starts read-only, the primary too: a former primary that restarts after
        # a failover takes no writes; the proxy makes the primary it writes to writable.
        printf 'read_only = ON\n'
    } >/etc/mysql/mariadb.conf.d/60-sqlgate.cnf
    chmod 0644 /etc/mysql/mariadb.conf.d/60-sqlgate.cnf
    systemctl enable mariadb.service
    systemctl restart mariadb.service
    wait_for_sql "MariaDB on ${BOOT_NODE_NAME} to answer" 300 --protocol=socket -u root -e 'SELECT 1'

    # root keeps socket authentication (this script) and gets a password for operators; not
    # binlogged, so a replica records no GTID of its own before it replicates.
    local root_password
    root_password="$(secret_value root_password)"
    db <<<"SET sql_log_bin = 0;
        ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket
            OR mysql_native_password USING PASSWORD($(sql_str "$root_password"));"

    if ((index == 0)); then
        database_primary
    else
        database_replica
    fi
}

# account USER HOST GRANTS PASSWORD_PARAMETER: SQL that creates (or resets) one account.
account() {
    local acct password
    acct="$(sql_str "$1")@$(sql_str "$2")"
    password="$(secret_value "$4")"
    password="$(sql_str "$password")"
    printf 'CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;\n' "$acct" "$password"
    printf 'ALTER USER %s IDENTIFIED BY %s;\n' "$acct" "$password"
    printf 'GRANT %s ON *.* TO %s;\n' "$3" "$acct"
}

database_primary() {
    local ip sql
    local -a replicas=()
    IFS=',' read -r -a replicas <<<"${BOOT_REPLICA_ADDRESSES:-}"
    # Built whole before it runs, so that a secret missing half way runs none of it.
    # Binlogged on purpose: the replicas get the same accounts and schema by replication.
    sql="$(
        account "$BOOT_BACKEND_USER" "$BOOT_PROXY_ADDRESS" "$PROXY_GRANTS" backend_password
        account "$BOOT_MONITOR_USER" "$BOOT_PROXY_ADDRESS" "$MONITOR_GRANTS" monitor_password
        # The monitor's heartbeat row ([monitor] heartbeat_interval_ms) is all it writes.
        # shellcheck disable=SC2016 # backquotes for SQL
        printf 'GRANT %s ON `%s`.* TO %s@%s;\n' "$MONITOR_HEARTBEAT_GRANTS" sqlgate \
            "$(sql_str "$BOOT_MONITOR_USER")" "$(sql_str "$BOOT_PROXY_ADDRESS")"
        # One replication account per database node address: nothing else may pull the
        # binlog. The primary's own is for after a failover, when it rejoins as a replica.
        for ip in "${replicas[@]}" "$BOOT_PRIVATE_ADDRESS"; do
            [[ -z "$ip" ]] || account "$BOOT_REPLICATION_USER" "$ip" "REPLICATION SLAVE" replication_password
        done
        # shellcheck disable=SC2016 # backquotes for SQL
        printf 'CREATE DATABASE IF NOT EXISTS `%s`;\n' "$BOOT_DEMO_SCHEMA"
    )"
    db <<<"$sql"
    log "primary ready: accounts for the proxy (${BOOT_PROXY_ADDRESS}) and ${#replicas[@]} replica(s); schema ${BOOT_DEMO_SCHEMA}"
}

database_replica() {
    # The replication login in a client option file (mode 0600, on tmpfs), not on argv.
    local cnf password
    password="$(secret_value replication_password)"
    cnf="$(mktemp /run/sqlgate-repl.XXXXXX.cnf)"
    printf '[client]\nuser=%s\npassword=%s\n' "$BOOT_REPLICATION_USER" "$password" >"$cnf"
    # The primary creates this account once MariaDB runs there; its login working is the
    # signal that the primary is ready to serve its binlog.
    wait_for_sql "the primary ${BOOT_PRIMARY_ADDRESS} to accept the replication login" 1800 \
        --defaults-extra-file="$cnf" -h "$BOOT_PRIMARY_ADDRESS" -P 3306 -e 'SELECT 1'
    local target
    target="$(mariadb --defaults-extra-file="$cnf" -h "$BOOT_PRIMARY_ADDRESS" -P 3306 -N -B \
        -e 'SELECT @@gtid_binlog_pos')"
    rm -f "$cnf"

    # A fresh node has no transactions of its own; any would break gtid_strict_mode.
    if [[ -n "$(db -e 'SELECT @@gtid_binlog_pos')" ]]; then db -e 'RESET MASTER'; fi
    db <<<"STOP SLAVE;
        CHANGE MASTER TO MASTER_HOST=$(sql_str "$BOOT_PRIMARY_ADDRESS"), MASTER_PORT=3306,
            MASTER_USER=$(sql_str "$BOOT_REPLICATION_USER"),
            MASTER_PASSWORD=$(sql_str "$password"),
            MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5;
        START SLAVE;"
    wait_for "${BOOT_NODE_NAME}: Slave_IO_Running and Slave_SQL_Running" 600 slave_running
    # Caught up with what the primary had when this replica joined (its accounts and schema).
    wait_for_sql "${BOOT_NODE_NAME} to apply the primary's GTID ${target:-<none>}" 600 \
        --protocol=socket -u root -e "SELECT MASTER_GTID_WAIT($(sql_str "$target"), 2) = 0"
    log "replica ${BOOT_NODE_NAME} replicates from ${BOOT_PRIMARY_ADDRESS}"
}

main() {
    [[ $EUID -eq 0 ]] || fail "run as root (cloud-init does)"
    load_env "${BOOT_DIR}/boot.env"
    need region parameter_prefix
    log "starting (region ${BOOT_REGION}, parameters ${BOOT_PARAMETER_PREFIX}/)"
    case "$ROLE" in
        gatekeeper) role_gatekeeper ;;
        trusted-host) role_trusted_host ;;
        proxy) role_proxy ;;
        database) role_database ;;
        *) fail "usage: bootstrap.sh gatekeeper|trusted-host|proxy|database" ;;
    esac
    log "done in ${SECONDS} s"
}

main "$@"
