# shellcheck shell=bash
# SQL as the administrator of a local cluster started by scripts/cluster.sh, for cluster.sh
# itself, scripts/run.sh and bench/run.sh. The administrator logs in over the node's Unix
# socket (unix_socket authentication): there is no administrator password anywhere. SQL that
# carries a password goes on stdin, never in the arguments, which every local user can read.

# What an application served through the proxy needs: data and DDL, nothing administrative
# (no SUPER, FILE, PROCESS, SHUTDOWN, RELOAD, GRANT OPTION, replication or binlog admin).
# The proxy's backend account gets these (scripts/cluster.sh), and so does the account of
# MariaDB's tests run through sqlgate (tests/compat/run.sh).
# shellcheck disable=SC2034
APPLICATION_GRANTS="SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, \
CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, \
ALTER ROUTINE, TRIGGER, REFERENCES, EVENT"

# sql_str TEXT: TEXT as a quoted SQL string literal.
sql_str() {
    local s="${1//\\/\\\\}"
    printf "'%s'" "${s//\'/\\\'}"
}

# mariadb_admin SOCKET USER [mariadb options...]: the mariadb client as USER on SOCKET, in
# batch mode without column names, giving up on a node that does not answer within 3 s.
mariadb_admin() {
    local socket="$1" user="$2"
    shift 2
    mariadb --no-defaults --protocol=socket --socket="$socket" --user="$user" \
        --connect-timeout=3 --batch --skip-column-names "$@"
}

# cluster_admin_sql K [mariadb options...]: mariadb_admin on node K of the cluster whose
# cluster.env the caller has sourced.
cluster_admin_sql() {
    local socket="NODE_${1}_SOCKET"
    shift
    mariadb_admin "${!socket}" "$CLUSTER_ADMIN_USER" "$@"
}
