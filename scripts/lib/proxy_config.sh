# shellcheck shell=bash
# Shared by scripts/run.sh and bench/run.sh: a proxy configuration for a cluster started by
# scripts/cluster.sh, whose cluster.env the caller has sourced.

# render_proxy_config WRITER LISTEN_ADDRESS PORT SOURCE_ADDRESS: prints every table but the
# [[users]], which the caller appends.
render_proxy_config() {
    local writer="$1" listen="$2" port="$3" source="$4" k name host node_port role
    cat <<TOML
# Written by ${writer} from ${CLUSTER_DIR}/cluster.env; rewritten on every run.
[listener]
address = "${listen}"
port = ${port}
default_route = "random"

[backend]
user = "${CLUSTER_PROXY_USER}"
password_file = "${CLUSTER_PROXY_PASSWORD_FILE}"
source_address = "${source}"

[monitor]
user = "${CLUSTER_MONITOR_USER}"
password_file = "${CLUSTER_MONITOR_PASSWORD_FILE}"
interval_ms = 250
failure_threshold = 3

[routing]
fallback_to_primary = true
TOML
    for ((k = 1; k <= CLUSTER_NODES; k++)); do
        name="NODE_${k}_NAME" host="NODE_${k}_HOST" node_port="NODE_${k}_PORT" role="NODE_${k}_ROLE"
        printf '\n[[servers]]\nname = "%s"\naddress = "%s"\nport = %s\nrole = "%s"\n' \
            "${!name}" "${!host}" "${!node_port}" "${!role}"
    done
}

# render_proxy_user NAME PASSWORD_HASH [DEFAULT_ROUTE]
render_proxy_user() {
    printf '\n[[users]]\nname = "%s"\npassword_hash = "%s"\n' "$1" "$2"
    if [[ -n "${3:-}" ]]; then printf 'default_route = "%s"\n' "$3"; fi
}
