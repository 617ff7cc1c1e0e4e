#!/usr/bin/env bash
# Makes a private CA and one certificate per role, for mutual TLS between the hops.
#   scripts/certs.sh DIR NAME=ADDRESS [NAME=ADDRESS ...]
# Each certificate names its role (DNS:NAME, which peers check) and its address (IP:ADDRESS,
# which clients using --ssl-verify-server-cert check), and serves as server and client.
# Existing files are kept, so running it again is cheap; --force makes everything anew.
# --ca-name NAME gives the CA a distinct name (tests make a second, untrusted CA with it).
set -euo pipefail

force=0
ca_name="sqlgate local CA"
args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) force=1 ;;
        --ca-name) ca_name="$2"; shift ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) args+=("$1") ;;
    esac
    shift
done
[[ ${#args[@]} -ge 2 ]] || { echo "usage: $0 DIR NAME=ADDRESS..." >&2; exit 2; }
dir="${args[0]}"
command -v openssl >/dev/null || { echo "error: openssl is not installed" >&2; exit 1; }
mkdir -p "${dir}"
chmod 700 "${dir}"
umask 077
[[ ${force} -eq 1 ]] && rm -f "${dir}"/*.crt "${dir}"/*.key "${dir}"/*.csr "${dir}"/*.srl

if [[ ! -s "${dir}/ca.crt" ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
        -subj "/CN=${ca_name}" -keyout "${dir}/ca.key" -out "${dir}/ca.crt" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        2>/dev/null
fi

for spec in "${args[@]:1}"; do
    name="${spec%%=*}"
    address="${spec#*=}"
    [[ "${name}" =~ ^[a-z0-9-]+$ && "${address}" != "${spec}" ]] ||
        { echo "error: expected NAME=ADDRESS, got '${spec}'" >&2; exit 2; }
    [[ -s "${dir}/${name}.crt" ]] && continue
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/CN=${name}" -keyout "${dir}/${name}.key" -out "${dir}/${name}.csr" 2>/dev/null
    openssl x509 -req -in "${dir}/${name}.csr" -CA "${dir}/ca.crt" -CAkey "${dir}/ca.key" \
        -CAcreateserial -days 825 -out "${dir}/${name}.crt" \
        -extfile <(printf '%s\n' "basicConstraints=CA:FALSE" \
            "keyUsage=critical,digitalSignature,keyEncipherment" \
            "extendedKeyUsage=serverAuth,clientAuth" \
            "subjectAltName=DNS:${name},IP:${address}") 2>/dev/null
    rm -f "${dir}/${name}.csr"
done
# Certificates are public; keys stay readable by their owner alone.
chmod 644 "${dir}"/*.crt
chmod 600 "${dir}"/*.key
