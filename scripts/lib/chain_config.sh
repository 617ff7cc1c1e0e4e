# shellcheck shell=bash
# Shared by scripts/run.sh and the tests: the configuration of the gatekeeper and the trusted
# host, and the TLS sections that make the proxy accept only the trusted host. The variables
# below are set by the caller; certificates come from scripts/certs.sh.
#   CHAIN_CERTS      folder with ca.crt and NAME.crt/NAME.key per role
#   GATEKEEPER_ADDRESS TRUSTED_HOST_ADDRESS PROXY_ADDRESS   one loopback address per host
#   GATEKEEPER_PORT HTTP_PORT TRUSTED_HOST_PORT PROXY_PORT

# The proxy's [tls] and [access]: TLS required, only the trusted host's certificate and address.
render_proxy_tls() {
    cat <<TOML

[tls]
certificate = "${CHAIN_CERTS}/proxy.crt"
private_key = "${CHAIN_CERTS}/proxy.key"
ca = "${CHAIN_CERTS}/ca.crt"
require = true

[access]
allowed_sources = ["${TRUSTED_HOST_ADDRESS}"]
client_certificate_names = ["trusted-host"]
TOML
}

# render_policy KINDS SCHEMA: the statement policy of one [[users]] entry; KINDS is a TOML list.
render_policy() {
    cat <<TOML
allowed_kinds = $1
allowed_schemas = ["$2"]
default_schema = "$2"
TOML
}

# render_gatekeeper_config AUDIT_FILE: every table but the [[users]], which the caller appends.
render_gatekeeper_config() {
    cat <<TOML
# The public front. It holds no database credentials: it authenticates users itself and
# asserts their names to the trusted host over mutual TLS.
[listener]
address = "${GATEKEEPER_ADDRESS}"
port = ${GATEKEEPER_PORT}
handshake_timeout_ms = 10000
idle_timeout_ms = 600000
max_statement_bytes = 1048576

[tls]
certificate = "${CHAIN_CERTS}/gatekeeper.crt"
private_key = "${CHAIN_CERTS}/gatekeeper.key"

[upstream]
address = "${TRUSTED_HOST_ADDRESS}"
port = ${TRUSTED_HOST_PORT}
source_address = "${GATEKEEPER_ADDRESS}"
server_name = "trusted-host"
certificate = "${CHAIN_CERTS}/gatekeeper.crt"
private_key = "${CHAIN_CERTS}/gatekeeper.key"
ca = "${CHAIN_CERTS}/ca.crt"

[http]
enabled = true
address = "${GATEKEEPER_ADDRESS}"
port = ${HTTP_PORT}

[rate_limits]
per_user_per_second = 2000
per_user_burst = 4000
per_source_per_second = 2000
per_source_burst = 4000

[audit]
file = "$1"
TOML
}

# render_gatekeeper_user NAME PASSWORD_HASH TOKEN_SHA256 KINDS SCHEMA
render_gatekeeper_user() {
    printf '\n[[users]]\nname = "%s"\npassword_hash = "%s"\n' "$1" "$2"
    [[ -n "$3" ]] && printf 'api_token_sha256 = "%s"\n' "$3"
    render_policy "$4" "$5"
}

# render_trusted_host_config SECRETS_FILE: every table but the [[users]].
render_trusted_host_config() {
    cat <<TOML
# The internal hop: only the gatekeeper may connect; it checks the policy again and alone
# holds the credentials (in secrets_file, mode 0600) the proxy knows the users by.
secrets_file = "$1"

[listener]
address = "${TRUSTED_HOST_ADDRESS}"
port = ${TRUSTED_HOST_PORT}

[tls]
certificate = "${CHAIN_CERTS}/trusted-host.crt"
private_key = "${CHAIN_CERTS}/trusted-host.key"
ca = "${CHAIN_CERTS}/ca.crt"

[access]
allowed_sources = ["${GATEKEEPER_ADDRESS}"]
client_certificate_names = ["gatekeeper"]

[upstream]
address = "${PROXY_ADDRESS}"
port = ${PROXY_PORT}
source_address = "${TRUSTED_HOST_ADDRESS}"
server_name = "proxy"
certificate = "${CHAIN_CERTS}/trusted-host.crt"
private_key = "${CHAIN_CERTS}/trusted-host.key"
ca = "${CHAIN_CERTS}/ca.crt"
TOML
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
