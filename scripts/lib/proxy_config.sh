# shellcheck shell=bash
# Shared by scripts/run.sh and bench/run.sh: a proxy configuration for a cluster started by
# scripts/cluster.sh, whose cluster.env the caller has sourced. The text comes from
# deploy/templates/proxy.toml.tftpl, the template Terraform renders on AWS, so the local run
# exercises the deployed configuration.

# shellcheck source=scripts/lib/render_template.sh
source "$(dirname "${BASH_SOURCE[0]}")/render_template.sh"
SQLGATE_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/templates" && pwd)"

# render_proxy_config WRITER LISTEN_ADDRESS PORT SOURCE_ADDRESS [ADMIN_PORT]: prints every
# table (the admin listener on 127.0.0.1:ADMIN_PORT, off by default) but the
# [[users]], which the caller appends, and [tls]/[access], which render_proxy_tls
# (scripts/lib/chain_config.sh) adds where the proxy sits behind the trusted host.
# WRITER is kept for the callers; the template's header says where the file comes from.
render_proxy_config() {
    local listen="$2" port="$3" source="$4" k name host node_port role servers="" text
    for ((k = 1; k <= CLUSTER_NODES; k++)); do
        name="NODE_${k}_NAME" host="NODE_${k}_HOST" node_port="NODE_${k}_PORT" role="NODE_${k}_ROLE"
        servers+="$(printf '\n[[servers]]\nname = "%s"\naddress = "%s"\nport = %s\nrole = "%s"\nX' \
            "${!name}" "${!host}" "${!node_port}" "${!role}")"
        servers="${servers%X}"
    done
    text="$(render_template "${SQLGATE_TEMPLATES}/proxy.toml.tftpl" \
        listen_address="$listen" listen_port="$port" default_route=random \
        backend_user="$CLUSTER_PROXY_USER" backend_password_file="$CLUSTER_PROXY_PASSWORD_FILE" \
        source_address="$source" \
        monitor_user="$CLUSTER_MONITOR_USER" monitor_password_file="$CLUSTER_MONITOR_PASSWORD_FILE" \
        replication_user="$CLUSTER_REPL_USER" replication_password_file="$CLUSTER_REPL_PASSWORD_FILE" \
        admin_port="${5:-0}" \
        servers="$servers" certs_dir= trusted_host_address= users=)" || return
    text="$(printf '%s\n' "$text" | toml_tables except tls access)"
    printf '%s\n' "$text"
}

# render_proxy_user NAME PASSWORD_HASH [DEFAULT_ROUTE]
render_proxy_user() {
    printf '\n[[users]]\nname = "%s"\npassword_hash = "%s"\n' "$1" "$2"
    if [[ -n "${3:-}" ]]; then printf 'default_route = "%s"\n' "$3"; fi
}
