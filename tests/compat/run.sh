#!/usr/bin/env bash
# MariaDB's own regression tests through sqlgate: each chosen test of MariaDB's `main` suite
# runs with the stock test client (mariadb-test, Debian's package) three times — against
# the primary directly, through a proxy with `direct` routing and through one with `random`
# routing — as one application account with an application's grants. Only tests that pass
# against the primary count. Through `direct` sqlgate must be invisible: any such test that
# fails there fails this run. Through `random` a failure must be one that
# tests/compat/random_inherent.list explains (asynchronous replication, see the README's
# routing section); any other fails this run.
#
# Usage: tests/compat/run.sh [--full] [--build DIR] [--out DIR] [TEST...]
#   (default)  the tests in tests/compat/short.list (a minute or two; scripts/test.sh)
#   --full     every test of the main suite (about an hour)
#   TEST...    just these (names as in main/, e.g. sp-cursor)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh
source scripts/lib/processes.sh
source scripts/lib/secrets.sh
source scripts/lib/mariadb_admin.sh
source scripts/lib/proxy_config.sh

readonly SUITE_DIR=/usr/share/mysql/mysql-test
readonly TEST_CLUSTER_DIR=.sqlgate/test-cluster
readonly PROXY_ADDRESS=127.0.31.9
readonly PROXY_PORT=3306
readonly ACCOUNT=sqlgate_compat
readonly TEST_TIMEOUT_S=120

full=0
build_dir=build
out=""
chosen=()
while (($#)); do
    case "$1" in
        --full) full=1 && shift ;;
        --build) build_dir="$2" && shift 2 ;;
        --out) out="$2" && shift 2 ;;
        -h | --help) sed -n '2,16p' "$0" && exit 0 ;;
        -*) die "unknown option '$1' (see --help)" ;;
        *) chosen+=("$1") && shift ;;
    esac
done
command -v mariadb-test >/dev/null || die "mariadb-test is missing: run scripts/setup.sh"
[[ -x "${build_dir}/src/cli/sqlgate" ]] || die "no sqlgate binary in ${build_dir}: build first"
out="${out:-${SQLGATE_STATE}/compat/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out/logs" "$out/tmp" "$out/results"
out="$(realpath "$out")"

if ((${#chosen[@]} == 0)); then
    if ((full)); then
        for f in "${SUITE_DIR}"/main/*.test; do
            chosen+=("$(basename "$f" .test)")
        done
    else
        mapfile -t chosen < <(grep -v '^\s*\(#\|$\)' tests/compat/short.list)
    fi
fi

# The shared test cluster (the integration tests' own, 127.0.30.x), reused when it runs.
step "cluster"
scripts/cluster.sh up --dir "$TEST_CLUSTER_DIR" --net 127.0.30 --client-host '127.0.31.%' \
    >"$out/cluster.log" 2>&1 || die "cluster.sh up failed; see $out/cluster.log"
source "${TEST_CLUSTER_DIR}/cluster.env"

# One account for the tests: an application's grants (those scripts/cluster.sh gives the
# proxy's account) on the databases tests create (test, mysqltest*, db*), plus PROCESS.
# Nothing administrative: no SUPER, no RELOAD (RESET MASTER needs only that, and a test
# that runs it cuts every replica off), nothing on the mysql schema (a test that rewrites
# account tables must fail here, not lock the administrator out of the shared cluster). Allowed from the proxy's
# address and from 127.0.0.1 (where mariadb-test connects from to the primary).
password_file="${TEST_CLUSTER_DIR}/secrets/compat.password"
new_secret "$password_file"
password="$(cat "$password_file")"
{
    for host in 127.0.31.% 127.0.0.1; do
        printf "CREATE USER IF NOT EXISTS '%s'@'%s' IDENTIFIED BY %s;\n" \
            "$ACCOUNT" "$host" "$(sql_str "$password")"
        printf "REVOKE ALL PRIVILEGES, GRANT OPTION FROM '%s'@'%s';\n" "$ACCOUNT" "$host"
        printf "GRANT PROCESS ON *.* TO '%s'@'%s';\n" "$ACCOUNT" "$host"
        for schema in 'test%' 'mysqltest%' 'db%'; do
            printf "GRANT %s ON \`%s\`.* TO '%s'@'%s';\n" "$APPLICATION_GRANTS" "$schema" \
                "$ACCOUNT" "$host"
        done
        printf "GRANT EXECUTE ON mtr.* TO '%s'@'%s';\n" "$ACCOUNT" "$host"
    done
    # What MariaDB's test runner provides: tests call mtr.add_suppression() for log lines.
    printf 'CREATE DATABASE IF NOT EXISTS mtr;\n'
    printf 'CREATE PROCEDURE IF NOT EXISTS mtr.add_suppression(pattern TEXT) BEGIN END;\n'
} | cluster_admin_sql 1 || die "creating the ${ACCOUNT} account failed"

# One proxy, two users: the same client account name routes `direct` or `random`.
step "proxy on ${PROXY_ADDRESS}:${PROXY_PORT}"
config="$out/proxy.toml"
hash="$(printf '%s' "$password" | "${build_dir}/src/cli/sqlgate" hash-password)"
{
    CLUSTER_PROXY_USER="$ACCOUNT" CLUSTER_PROXY_PASSWORD_FILE="$(realpath "$password_file")" \
        render_proxy_config compat "$PROXY_ADDRESS" "$PROXY_PORT" "$PROXY_ADDRESS"
    render_proxy_user compat_direct "$hash" direct
    render_proxy_user compat_random "$hash" random
} >"$config"
ensure_port_free "$PROXY_ADDRESS" "$PROXY_PORT"
start_detached "$out/proxy.log" "${build_dir}/src/cli/sqlgate" proxy --config "$config"
proxy_pid=$STARTED_PID
# MariaDB's test runner starts its servers with MyISAM as the default engine, and the
# recorded results assume it; set so for the run, and put back after. A replica's applier
# takes the default when it starts (a CREATE TABLE without ENGINE replicates as written), so
# it is restarted: otherwise the replicas would hold InnoDB copies of MyISAM tables.
set_default_engine() {
    local k
    for ((k = 1; k <= CLUSTER_NODES; k++)); do
        if ((k == 1)); then
            cluster_admin_sql "$k" -e "SET GLOBAL default_storage_engine = $1"
        else
            cluster_admin_sql "$k" -e "STOP SLAVE SQL_THREAD; \
SET GLOBAL default_storage_engine = $1; START SLAVE SQL_THREAD"
        fi
    done
}
engine="$(cluster_admin_sql 1 -e "SELECT @@GLOBAL.default_storage_engine")"
set_default_engine MyISAM
restore() {
    stop_processes 10 pid_alive proxy="$proxy_pid" >/dev/null 2>&1 || true
    set_default_engine "$engine" || true
}
trap restore EXIT
wait_until 20 port_open "$PROXY_ADDRESS" "$PROXY_PORT" ||
    die "the proxy did not start; see $out/proxy.log"
sleep 1 # the monitor's first round: replicas serve reads once it has seen them

# Leaves the databases as they were before the test (tests may stop half-way) and waits
# until every replica has applied that, so no run sees what the previous one left.
baseline_schemas="$(cluster_admin_sql 1 -e "SELECT GROUP_CONCAT(SCHEMA_NAME) FROM \
information_schema.SCHEMATA")"
reset_databases() {
    local schema gtid k
    for schema in $(cluster_admin_sql 1 -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA \
WHERE FIND_IN_SET(SCHEMA_NAME, $(sql_str "$baseline_schemas")) = 0"); do
        cluster_admin_sql 1 -e "DROP DATABASE \`${schema}\`" || true
    done
    # MariaDB's test runner starts servers with latin1 defaults; the results assume them.
    cluster_admin_sql 1 -e "DROP DATABASE IF EXISTS test; CREATE DATABASE test CHARACTER SET latin1"
    gtid="$(cluster_admin_sql 1 -e "SELECT @@gtid_binlog_pos")"
    for ((k = 2; k <= CLUSTER_NODES; k++)); do
        cluster_admin_sql "$k" -e "SELECT MASTER_GTID_WAIT($(sql_str "$gtid"), 20)" >/dev/null
    done
}

# run_test NAME TARGET: 0 when mariadb-test's output matches MariaDB's recorded result.
run_test() {
    local name="$1" target="$2" host port user
    case "$target" in
        primary) host="$NODE_1_HOST" port="$NODE_1_PORT" user="$ACCOUNT" ;;
        direct) host="$PROXY_ADDRESS" port="$PROXY_PORT" user=compat_direct ;;
        random) host="$PROXY_ADDRESS" port="$PROXY_PORT" user=compat_random ;;
    esac
    reset_databases
    mkdir -p "$out/logs/$target"
    # A copy, so that mariadb-test writes its .reject beside it, not into the suite.
    cp "${SUITE_DIR}/main/${name}.result" "$out/results/${name}.result"
    # From the suite's directory: tests source include/*.inc relative to it.
    (cd "$SUITE_DIR" && MYSQLTEST_VARDIR="$out/tmp" MYSQL_TMP_DIR="$out/tmp" \
        timeout "$TEST_TIMEOUT_S" mariadb-test --no-defaults --max-connect-retries=1 --host="$host" --port="$port" --user="$user" \
        --password="$password" --database=test --basedir="$SUITE_DIR" \
        --tmpdir="$out/tmp" --logdir="$out/logs/$target" \
        --test-file="${SUITE_DIR}/main/${name}.test" \
        --result-file="$out/results/${name}.result" \
        >"$out/logs/$target/${name}.out" 2>&1)
}

declare -A inherent=()
while read -r name reason; do
    [[ -z "$name" || "$name" == \#* ]] || inherent[$name]="$reason"
done <tests/compat/random_inherent.list

step "${#chosen[@]} tests, each against the primary, then through direct and random"
counted=0 direct_failed=() random_explained=() random_unexplained=()
for name in "${chosen[@]}"; do
    [[ -f "${SUITE_DIR}/main/${name}.test" ]] || die "no test main/${name} in ${SUITE_DIR}"
    started="$(now_us)"
    if ! run_test "$name" primary; then # not this account's to pass: not counted
        printf '%-40s primary: fails, not counted\n' "$name" >>"$out/tests.txt"
        continue
    fi
    counted=$((counted + 1))
    direct=ok random=ok
    run_test "$name" direct || { direct=FAILED && direct_failed+=("$name"); }
    if ! run_test "$name" random; then
        if [[ -n "${inherent[$name]:-}" ]]; then
            random="fails (${inherent[$name]})" && random_explained+=("$name")
        else
            random=FAILED && random_unexplained+=("$name")
        fi
    fi
    printf '%-40s primary: ok  direct: %s  random: %s  (%d ms)\n' "$name" "$direct" "$random" \
        $((($(now_us) - started) / 1000)) | tee -a "$out/tests.txt"
done

{
    printf 'tests chosen: %d; passing against the primary: %d\n' "${#chosen[@]}" "$counted"
    printf 'through direct, failed: %d %s\n' "${#direct_failed[@]}" "${direct_failed[*]:-}"
    printf 'through random, failed as async replication explains: %d %s\n' \
        "${#random_explained[@]}" "${random_explained[*]:-}"
    printf 'through random, failed unexplained: %d %s\n' \
        "${#random_unexplained[@]}" "${random_unexplained[*]:-}"
    printf 'outputs: %s/logs/{primary,direct,random}/NAME.out\n' "$out"
} | tee "$out/summary.txt"
((counted > 0)) || die "no test passed against the primary: the harness itself is broken"
((${#direct_failed[@]} == 0 && ${#random_unexplained[@]} == 0))
