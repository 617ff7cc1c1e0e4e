# shellcheck shell=bash
# Secret files (passwords, tokens, client configurations holding a password, private keys)
# for scripts/cluster.sh, scripts/run.sh and bench/run.sh: mode 0600 from the moment they
# exist, and replaced whole, so that nobody else reads one and no reader sees half of one.

# write_secret FILE: stdin into FILE.
write_secret() {
    local file="$1"
    rm -f "${file}.tmp"
    (umask 077 && cat >"${file}.tmp") && mv -f "${file}.tmp" "$file"
}

# new_secret FILE: a random password (32 hex digits, no newline) in FILE, unless FILE has one
# already: secrets are kept between runs, so that what was configured with them still works.
new_secret() {
    local file="$1" value
    if [[ ! -s "$file" ]]; then
        if command -v openssl >/dev/null; then
            value="$(openssl rand -hex 16)"
        else
            value="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        fi
        printf '%s' "$value" | write_secret "$file"
    fi
    chmod 600 "$file"
}
