# shellcheck shell=bash
# Shared by scripts/run.sh and bench/run.sh: the configuration of the gatekeeper and the
# trusted host, and the TLS sections that make the proxy accept only the trusted host. The
# text comes from deploy/templates/*.toml.tftpl, the templates Terraform renders on AWS. The
# variables below are set by the caller; certificates come from scripts/certs.sh.
#   CHAIN_CERTS      folder with ca.crt and NAME.crt/NAME.key per role
#   GATEKEEPER_ADDRESS TRUSTED_HOST_ADDRESS PROXY_ADDRESS   one loopback address per host
#   GATEKEEPER_PORT HTTP_PORT TRUSTED_HOST_PORT PROXY_PORT
#   GATEKEEPER_ADMIN_PORT TRUSTED_HOST_ADMIN_PORT   admin listeners on 127.0.0.1 (unset: off)
#   GATEKEEPER_ADMIN_PEERS  the gatekeeper dashboard's peers, a TOML list's items (unset: none)

# shellcheck source=scripts/lib/render_template.sh
source "$(dirname "${BASH_SOURCE[0]}")/render_template.sh"
SQLGATE_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/templates" && pwd)"

# The proxy's [tls] and [access]: TLS required, only the trusted host's certificate and address.
# Only those tables are taken from the proxy's template, so its other names stay empty.
render_proxy_tls() {
    local text
    text="$(render_template "${SQLGATE_TEMPLATES}/proxy.toml.tftpl" \
        certs_dir="$CHAIN_CERTS" trusted_host_address="$TRUSTED_HOST_ADDRESS" \
        listen_address= listen_port= default_route= backend_user= backend_password_file= \
        source_address= monitor_user= monitor_password_file= replication_user= \
        replication_password_file= admin_port= servers= users=)" || return
    printf '\n'
    printf '%s\n' "$text" | toml_tables only tls access
}

# render_policy KINDS SCHEMA: the statement policy of one [[users]] entry; KINDS is a TOML list.
render_policy() {
    cat <<TOML
allowed_kinds = $1
allowed_schemas = ["$2"]
default_schema = "$2"
TOML
}

# render_gatekeeper_config AUDIT_FILE [unlimited]: every table but the [[users]], which the
# caller appends. With "unlimited", without the template's [rate_limits] (2,000 statements/s
# per user and per source), which leaves the gatekeeper unlimited, its default: the
# benchmarks measure the chain, not the limit.
render_gatekeeper_config() {
    local text
    text="$(render_template "${SQLGATE_TEMPLATES}/gatekeeper.toml.tftpl" \
        listen_address="$GATEKEEPER_ADDRESS" mysql_port="$GATEKEEPER_PORT" https_port="$HTTP_PORT" \
        source_address="$GATEKEEPER_ADDRESS" certs_dir="$CHAIN_CERTS" \
        trusted_host_address="$TRUSTED_HOST_ADDRESS" trusted_host_port="$TRUSTED_HOST_PORT" \
        audit_file="$1" admin_port="${GATEKEEPER_ADMIN_PORT:-0}" \
        admin_peers="${GATEKEEPER_ADMIN_PEERS:-}" users=)" || return
    case "${2:-}" in
        "") ;;
        unlimited) text="$(printf '%s\n' "$text" | toml_tables except rate_limits)" ;;
        *)
            printf 'render_gatekeeper_config: unknown option %q\n' "$2" >&2
            return 1
            ;;
    esac
    printf '%s\n' "$text"
}

# render_gatekeeper_user NAME PASSWORD_HASH TOKEN_SHA256 KINDS SCHEMA
render_gatekeeper_user() {
    printf '\n[[users]]\nname = "%s"\npassword_hash = "%s"\n' "$1" "$2"
    [[ -n "$3" ]] && printf 'api_token_sha256 = "%s"\n' "$3"
    render_policy "$4" "$5"
}

# render_trusted_host_config SECRETS_FILE: every table but the [[users]].
render_trusted_host_config() {
    local text
    text="$(render_template "${SQLGATE_TEMPLATES}/trusted-host.toml.tftpl" \
        secrets_file="$1" listen_address="$TRUSTED_HOST_ADDRESS" listen_port="$TRUSTED_HOST_PORT" \
        source_address="$TRUSTED_HOST_ADDRESS" certs_dir="$CHAIN_CERTS" \
        gatekeeper_address="$GATEKEEPER_ADDRESS" proxy_address="$PROXY_ADDRESS" \
        proxy_port="$PROXY_PORT" admin_port="${TRUSTED_HOST_ADMIN_PORT:-0}" users=)" || return
    printf '%s\n' "$text"
}

# render_trusted_host_user NAME KINDS SCHEMA
render_trusted_host_user() {
    printf '\n[[users]]\nname = "%s"\n' "$1"
    render_policy "$2" "$3"
}

# render_secret NAME DB_USER PASSWORD: one entry of the trusted host's secrets file.
render_secret() {
    printf '[users.%s]\nuser = "%s"\npassword = "%s"\n\n' "$1" "$2" "$3"
}
