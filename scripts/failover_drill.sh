#!/usr/bin/env bash
# scripts/run.sh failover: a failover drill on the running local stack (scripts/run.sh). A
# mixed load goes through the gatekeeper (4 writers, 16 readers), the primary's mariadbd is
# SIGKILLed, and the proxy fails over on its own. Printed: the timeline (kill, detection,
# promotion, first write on the new primary, the old primary rejoined), the statements that
# failed, and whether every acknowledged write is on every node. Exit 1 when one is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
source scripts/lib/mariadb_admin.sh
source scripts/lib/processes.sh

LOCAL="${SQLGATE_STATE}/local"
CLUSTER_ENV="${SQLGATE_STATE}/cluster/cluster.env"
BINARY=build/src/cli/sqlgate
LOAD_SECONDS=12
KILL_AFTER_S=3

[[ -f "$CLUSTER_ENV" && -f "${LOCAL}/client.cnf" && -f "${LOCAL}/proxy.log" ]] ||
    die "no local stack to drill: start it with scripts/run.sh"
# shellcheck disable=SC1090
source "$CLUSTER_ENV"
for role in gatekeeper trusted-host proxy; do
    pid_from_file "${LOCAL}/${role}.pid" pid_alive >/dev/null ||
        die "the ${role} is not running: start the stack with scripts/run.sh"
done
grep -q '^mode = "auto"' "${LOCAL}/proxy.toml" ||
    die "${LOCAL}/proxy.toml has no [failover] mode = \"auto\"; rerun scripts/run.sh"
scripts/cluster.sh status >/dev/null || die "the cluster is not healthy: scripts/cluster.sh status"

primary="${CLUSTER_PRIMARY_NODE:-1}"
primary_name_var="NODE_${primary}_NAME" primary_pid_var="NODE_${primary}_PID_FILE"
primary_name="${!primary_name_var}"
primary_pid="$(<"${!primary_pid_var}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log_start=$(($(wc -l <"${LOCAL}/proxy.log") + 1))

step "mixed load through the gatekeeper for ${LOAD_SECONDS} s; ${primary_name} is killed after ${KILL_AFTER_S} s"
"$BINARY" mixed-load --defaults-file "${LOCAL}/client.cnf" --seconds "$LOAD_SECONDS" \
    --acknowledged-file "${work}/acknowledged" --events-file "${work}/events" >"${work}/load" &
load_pid=$!
sleep "$KILL_AFTER_S"
kill_ms=$(($(now_us) / 1000))
kill -KILL "$primary_pid"
step "SIGKILL sent to ${primary_name}'s mariadbd (pid ${primary_pid})"
wait "$load_pid" || die "the load failed: $(cat "${work}/load")"
# shellcheck disable=SC2317 # called through since_kill
load_value() { sed -n "s/^$1=//p" "${work}/load"; }
# From the load's events (EPOCH_MS write|read ok|CODE): the first write refused after the
# kill, and the first write acknowledged after the last one refused (writes in flight at the
# kill may still be acknowledged a few ms after it, before the outage shows).
# shellcheck disable=SC2317 # called through since_kill
first_refused_write() {
    awk -v k="$kill_ms" '$1 >= k && $2 == "write" && $3 != "ok" { print $1; exit }' \
        <(sort -n "${work}/events")
}
# shellcheck disable=SC2317 # called through since_kill
writes_resumed() {
    local refused
    refused="$(awk -v k="$kill_ms" '$1 >= k && $2 == "write" && $3 != "ok" { last = $1 }
        END { print last }' "${work}/events")"
    [[ -n "$refused" ]] || return 1
    awk -v r="$refused" '$1 > r && $2 == "write" && $3 == "ok" { print $1; exit }' \
        <(sort -n "${work}/events")
}
# failures KIND: "N (error CODE: n, ...)" for the statements of KIND that failed.
failures() {
    awk -v kind="$1" '$2 == kind && $3 != "ok" { n++; c[$3]++ }
        END { printf "%d", n; sep = " (error "; for (e in c) { printf "%s%s: %d", sep, e, c[e]; sep = ", " } if (n) printf ")" }' \
        "${work}/events"
}

# shellcheck disable=SC2317 # called through since_kill and wait_until
# event_ms EVENT [FIELD=VALUE]: when the proxy logged EVENT after the kill, in epoch ms.
event_ms() {
    local line ts
    line="$(tail -n "+${log_start}" "${LOCAL}/proxy.log" | grep -m1 "event=$1${2:+ .*$2}" || true)"
    [[ -n "$line" ]] || return 1
    ts="${line#ts=}"
    ts="${ts%% *}"
    date -d "$ts" +%s%3N
}

step "starting ${primary_name} again (scripts/cluster.sh start-node): the proxy rejoins it"
restart_ms=$(($(now_us) / 1000))
scripts/cluster.sh start-node --node "$primary_name" >/dev/null
# shellcheck disable=SC2317 # called through wait_until
rejoined() { event_ms rejoined "server=${primary_name}" >/dev/null; }
wait_until 60 rejoined || die "${primary_name} did not rejoin within 60 s; see ${LOCAL}/proxy.log"
# cluster.env follows the new topology (up keeps the promoted primary).
scripts/cluster.sh up >/dev/null
# shellcheck disable=SC1090
source "$CLUSTER_ENV"
new_name_var="NODE_${CLUSTER_PRIMARY_NODE}_NAME"

since_kill() {
    local at
    if at="$("$@")" && [[ -n "$at" && "$at" != 0 ]]; then
        printf '%+7d ms' $((at - kill_ms))
    else
        printf '%10s' "-"
    fi
}
echo
echo "failover drill: ${primary_name} killed under load; ${!new_name_var} promoted"
printf '  %-44s %s\n' "kill (SIGKILL to mariadbd)" "$(printf '%+7d ms' 0)"
printf '  %-44s %s\n' "first write refused" "$(since_kill first_refused_write)"
printf '  %-44s %s\n' "primary down (monitor)" "$(since_kill event_ms backend_down "server=${primary_name}")"
printf '  %-44s %s\n' "failover started (lost by every replica)" "$(since_kill event_ms failover_started)"
printf '  %-44s %s\n' "new primary promoted" "$(since_kill event_ms failover_promoted)"
printf '  %-44s %s\n' "first write acknowledged by the new primary" "$(since_kill writes_resumed)"
printf '  %-44s %s\n' "old primary started again (after the load)" "$(printf '%+7d ms' $((restart_ms - kill_ms)))"
printf '  %-44s %s\n' "old primary rejoined as a replica" "$(since_kill event_ms rejoined "server=${primary_name}")"
echo "  reads:  $(load_value reads_ok) succeeded, $(failures read) failed"
echo "  writes: $(load_value writes_acknowledged) acknowledged, $(failures write) refused or lost in flight"

status=0
sort -o "${work}/acknowledged" "${work}/acknowledged"
target="$(cluster_admin_sql "$CLUSTER_PRIMARY_NODE" -e 'SELECT @@gtid_binlog_pos')"
for ((k = 1; k <= CLUSTER_NODES; k++)); do
    name_var="NODE_${k}_NAME"
    # shellcheck disable=SC2317 # called through wait_until
    caught_up() { [[ "$(cluster_admin_sql "$k" -e 'SELECT @@gtid_current_pos')" == "$target" ]]; }
    wait_until 30 caught_up || true
    cluster_admin_sql "$k" -e 'SELECT row_key FROM main_db.failover_drill' | sort >"${work}/rows"
    missing=$(comm -23 "${work}/acknowledged" "${work}/rows" | wc -l)
    ((missing == 0)) || status=1
    printf '  %-10s %s of %s acknowledged writes present\n' "${!name_var}" \
        $(($(wc -l <"${work}/acknowledged") - missing)) "$(wc -l <"${work}/acknowledged")"
done
((status == 0)) && echo "every acknowledged write is on every node" ||
    echo "ACKNOWLEDGED WRITES MISSING (see above)"
exit "$status"
