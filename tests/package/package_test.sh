#!/usr/bin/env bash
# The Debian package, checked from the outside: cpack builds it from a build tree (or a .deb
# is given), then its control fields, maintainer scripts and file list are asserted; it is
# extracted, the extracted binary prints its version and validates the example configs, and
# the three systemd units carry the hardening and pass `systemd-analyze verify` and
# `systemd-analyze security --offline` (overall exposure at most 2.0; set
# SQLGATE_MAX_EXPOSURE, in tenths, to change that).
# Needs dpkg-deb (dpkg), systemd-analyze (systemd) and, with --build-dir, cpack (cmake) and
# dpkg-shlibdeps (dpkg-dev).
#
# Usage: tests/package/package_test.sh --version VERSION (--build-dir DIR | --deb FILE)
#   --build-dir DIR   runs cpack in DIR (sqlgate must be built there) -> DIR/sqlgate_V_ARCH.deb
#   --deb FILE        checks FILE instead
set -euo pipefail

fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}
ok() { printf 'ok    %s\n' "$*"; }

version="" build_dir="" deb=""
while (($#)); do
    case "$1" in
        --version) version="${2:?--version needs a value}"; shift 2 ;;
        --build-dir) build_dir="${2:?--build-dir needs a value}"; shift 2 ;;
        --deb) deb="${2:?--deb needs a value}"; shift 2 ;;
        *) fail "unknown argument '$1' (see the usage at the top of $0)" ;;
    esac
done
[[ -n "$version" ]] || fail "--version is required"
[[ -n "$build_dir" || -n "$deb" ]] || fail "give --build-dir DIR or --deb FILE"

need() {
    command -v "$1" >/dev/null 2>&1 || fail "$1 not found: install the $2 package (scripts/setup.sh does)"
}
need dpkg-deb dpkg
need systemd-analyze systemd

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
arch=$(dpkg --print-architecture)
roles=(gatekeeper trusted-host proxy)
max_exposure="${SQLGATE_MAX_EXPOSURE:-20}"   # systemd-analyze's 0..100 scale: 20 is 2.0

# --- build the package --------------------------------------------------------------------
if [[ -n "$build_dir" ]]; then
    need cpack cmake
    need dpkg-shlibdeps dpkg-dev
    build_dir=$(cd "$build_dir" && pwd)
    [[ -f "$build_dir/CPackConfig.cmake" ]] || fail "$build_dir/CPackConfig.cmake missing: configure with cmake first"
    [[ -x "$build_dir/src/cli/sqlgate" ]] || fail "$build_dir/src/cli/sqlgate missing: build it first (cmake --build $build_dir --target sqlgate)"
    deb="$build_dir/sqlgate_${version}_${arch}.deb"
    rm -f "$deb"
    if ! (cd "$build_dir" && cpack -G DEB) >"$tmp/cpack.log" 2>&1; then
        cat "$tmp/cpack.log" >&2
        fail "cpack failed in $build_dir"
    fi
    [[ -f "$deb" ]] || { cat "$tmp/cpack.log" >&2; fail "cpack did not write $deb"; }
    ok "cpack wrote $deb"
fi
[[ -f "$deb" ]] || fail "no such package: $deb"

# --- control fields -------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
expect_field() {
    local got
    got=$(field "$1")
    [[ "$got" == "$2" ]] || fail "$1 is '$got', expected '$2'"
    ok "$1: $got"
}
expect_field Package sqlgate
expect_field Version "$version"
expect_field Architecture "$arch"
expect_field Section database
[[ -n "$(field Maintainer)" ]] || fail "Maintainer is empty"
ok "Maintainer: $(field Maintainer)"
depends=$(field Depends)
[[ -n "$depends" ]] || fail "Depends is empty (dpkg-shlibdeps did not run?)"
for dep in adduser libc6 libssl libmariadb; do
    [[ "$depends" =~ (^|[ ,])$dep ]] || fail "Depends lacks $dep: $depends"
done
ok "Depends: $depends"

# --- maintainer scripts ---------------------------------------------------------------------
dpkg-deb --control "$deb" "$tmp/control"
for script in postinst prerm postrm; do
    [[ -f "$tmp/control/$script" ]] || fail "control member $script missing"
    [[ -x "$tmp/control/$script" ]] || fail "control member $script is not executable"
    sh -n "$tmp/control/$script" || fail "$script is not valid sh"
done
grep -q 'adduser --system' "$tmp/control/postinst" || fail "postinst does not create the sqlgate system user"
grep -q '/run/systemd/system' "$tmp/control/postinst" || fail "postinst does not check that systemd runs"
if grep -Eq '^[^#]*systemctl[^#]*([[:space:]](enable|start)([[:space:]]|$)|--now)' "$tmp/control/postinst"; then
    fail "postinst enables or starts units; cloud-init does that once the configs exist"
fi
grep -Eq '^[^#]*systemctl[^#]*[[:space:]]stop[[:space:]]' "$tmp/control/prerm" || fail "prerm does not stop the units"
[[ "$(cat "$tmp/control/conffiles" 2>/dev/null)" == "/etc/logrotate.d/sqlgate" ]] ||
    fail "conffiles should be exactly /etc/logrotate.d/sqlgate, not: $(cat "$tmp/control/conffiles" 2>/dev/null)"
ok "maintainer scripts: postinst prerm postrm (user, no enable/start, stop on remove)"

# --- file list ------------------------------------------------------------------------------
dpkg-deb --contents "$deb" >"$tmp/contents"
entry() { awk -v p="./$1" '$6 == p { print $1 " " $2 }' "$tmp/contents"; }
expect_entry() {
    local got
    got=$(entry "$1")
    [[ -n "$got" ]] || fail "/$1 is not in the package"
    [[ "$got" == "$2" ]] || fail "/$1 is '$got', expected '$2'"
}
expect_entry usr/bin/sqlgate "-rwxr-xr-x root/root"
for role in "${roles[@]}"; do
    expect_entry "lib/systemd/system/sqlgate-${role}.service" "-rw-r--r-- root/root"
    expect_entry "usr/share/doc/sqlgate/examples/${role}.toml" "-rw-r--r-- root/root"
done
expect_entry usr/share/doc/sqlgate/examples/trusted-host.secrets "-rw-r--r-- root/root"
expect_entry etc/logrotate.d/sqlgate "-rw-r--r-- root/root"
# Nothing else: in /etc only the log rotation (configs and secrets are the deployment's), no
# tests, no libraries.
stray=$(awk '{ print $6 }' "$tmp/contents" | grep -Ev '^\./(usr/(bin/(sqlgate)?|share/(doc/(sqlgate/(examples/.*)?)?)?)?|lib/(systemd/(system/(sqlgate-[a-z-]+\.service)?)?)?|etc/(logrotate\.d/(sqlgate)?)?)?$' || true)
[[ -z "$stray" ]] || fail "unexpected files in the package: $stray"
ok "contents: $(awk '$1 !~ /^d/ { printf "%s ", substr($6, 2) }' "$tmp/contents")"

# --- the extracted binary -------------------------------------------------------------------
root="$tmp/root"
dpkg-deb -x "$deb" "$root"
got=$("$root/usr/bin/sqlgate" --version) || fail "sqlgate --version exited $?"
[[ "$got" == "sqlgate $version" ]] || fail "sqlgate --version printed '$got', expected 'sqlgate $version'"
ok "--version: $got"

# The log rotation parses, covers the audit log and signals both front roles to reopen it.
out=$(logrotate --debug --state "$tmp/logrotate.state" "$root/etc/logrotate.d/sqlgate" 2>&1) ||
    fail "logrotate rejects etc/logrotate.d/sqlgate: $out"
grep -q '/var/log/sqlgate/\*.log' <<<"$out" || fail "logrotate does not cover /var/log/sqlgate: $out"
grep -q 'signal=USR1 sqlgate-gatekeeper.service sqlgate-trusted-host.service' \
    "$root/etc/logrotate.d/sqlgate" || fail "the log rotation does not send SIGUSR1 to the front roles"
ok "logrotate config: parses, /var/log/sqlgate/*.log, SIGUSR1 to the front roles"

# The examples are valid configs (placeholder files stand in for certificates and passwords)
# and hold placeholders only: hashes of zeros, which no password or token has.
etc="$tmp/etc"
cp -r "$root/usr/share/doc/sqlgate/examples" "$etc"
mkdir -p "$etc/certs" "$etc/secrets"
for f in ca gatekeeper trusted-host proxy; do touch "$etc/certs/$f.crt" "$etc/certs/$f.key"; done
echo placeholder >"$etc/secrets/proxy.password"
echo placeholder >"$etc/secrets/monitor.password"
chmod 600 "$etc/trusted-host.secrets"
for role in "${roles[@]}"; do
    out=$("$root/usr/bin/sqlgate" "$role" --config "$etc/$role.toml" --check 2>&1) ||
        fail "example $role.toml does not pass --check: $out"
    ok "example $role.toml: $out"
done
secrets=$(grep -hE '^[[:space:]]*(password_hash|api_token_sha256|password)[[:space:]]*=' "$etc"/*.toml "$etc/trusted-host.secrets")
if grep -Ev '"\*?0+"|"REPLACE-[A-Z-]+"' <<<"$secrets"; then
    fail "an example holds something other than a placeholder (above)"
fi
ok "examples hold placeholders only"

# --- the systemd units ----------------------------------------------------------------------
required_lines=(
    "After=network-online.target" "Wants=network-online.target"
    "User=sqlgate" "Group=sqlgate" "Restart=on-failure" "LimitNOFILE=65536" "UMask=0077"
    "LogsDirectory=sqlgate" "StateDirectory=sqlgate" "ReadOnlyPaths=/etc/sqlgate"
    "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes"
    "PrivateDevices=yes" "CapabilityBoundingSet=" "AmbientCapabilities="
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "ProtectKernelTunables=yes"
    "ProtectKernelModules=yes" "ProtectKernelLogs=yes" "ProtectControlGroups=yes"
    "RestrictNamespaces=yes" "LockPersonality=yes" "MemoryDenyWriteExecute=yes"
    "RestrictRealtime=yes" "RestrictSUIDSGID=yes" "SystemCallArchitectures=native"
    "SystemCallFilter=@system-service"
)
mkdir -p "$tmp/units"
for role in "${roles[@]}"; do
    unit="$root/lib/systemd/system/sqlgate-${role}.service"
    for line in "${required_lines[@]}" \
        "ExecStart=/usr/bin/sqlgate ${role} --config /etc/sqlgate/${role}.toml" \
        "ExecStartPre=/usr/bin/sqlgate ${role} --config /etc/sqlgate/${role}.toml --check" \
        "ExecReload=/usr/bin/sqlgate ${role} --config /etc/sqlgate/${role}.toml --check" \
        "ExecReload=/bin/kill -HUP \$MAINPID" "KillSignal=SIGTERM"; do
        grep -qxF -- "$line" "$unit" || fail "sqlgate-${role}.service lacks the line '$line'"
    done
    # Ports 3306 and 8443 are unprivileged: the units grant no capability at all.
    if grep -Eq '^[^#]*CAP_' "$unit"; then fail "sqlgate-${role}.service grants a capability"; fi
    # The same unit pointing at the extracted binary, which systemd-analyze checks exists.
    sed "s|/usr/bin/sqlgate|$root/usr/bin/sqlgate|g" "$unit" >"$tmp/units/sqlgate-${role}.service"
done
ok "units: ${#required_lines[@]} hardening and service lines + ExecStart/ExecStartPre in each"

# verify exits 0 on warnings (unknown keys, bad values), so any output is a failure too.
if ! out=$(systemd-analyze verify "$tmp"/units/*.service 2>&1) || [[ -n "$out" ]]; then
    printf '%s\n' "$out" >&2
    fail "systemd-analyze verify reported problems in the units"
fi
ok "systemd-analyze verify: clean"
for role in "${roles[@]}"; do
    unit="$tmp/units/sqlgate-${role}.service"
    if ! out=$(systemd-analyze security --offline=yes --threshold="$max_exposure" "$unit" 2>&1); then
        printf '%s\n' "$out" >&2
        fail "systemd-analyze security: sqlgate-${role}.service is exposed above ${max_exposure}/100"
    fi
    ok "systemd-analyze security: $(grep -o 'Overall exposure level.*' <<<"$out")"
done

printf 'package test passed: %s\n' "$deb"
