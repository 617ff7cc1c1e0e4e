# shellcheck shell=bash
# How every script speaks: announced steps with elapsed time (since SQLGATE_T0, which
# common.sh sets), and clear failures. Sourcing it writes nothing, so a script may check its
# inputs with it before it creates any file (scripts/aws.sh).

step() {
    awk -v t0="${SQLGATE_T0:-0}" -v now="$(date +%s.%N)" -v msg="$*" \
        'BEGIN { printf "[%6.1fs] %s\n", now - t0, msg }'
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}
