#!/usr/bin/env bash
# Installs every Debian package sqlgate needs (only those missing) and builds it.
# Usage: scripts/setup.sh [--no-build] [--sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

build=1
sanitize=0
for arg in "$@"; do
    case "$arg" in
        --no-build) build=0 ;;
        --sanitize) sanitize=1 ;;
        *) die "unknown option '$arg' (use --no-build or --sanitize)" ;;
    esac
done

packages=(
    build-essential cmake pkg-config git clang-format clang-16 libclang-rt-16-dev llvm-16 openssl iproute2 curl
    libboost1.81-dev libssl-dev libtomlplusplus-dev nlohmann-json3-dev libcli11-dev
    libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
    mariadb-server mariadb-client libmariadb-dev mariadb-test
    sysbench haproxy gnuplot-nox strace liburing-dev
    dpkg-dev systemd
    prometheus logrotate chromium sqlmap testssl.sh
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js runs the offline deployment checks (deploy/checks) and the mysql2 driver test
# (tests/clients); any node on the PATH will do.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
    step "installing ${#missing[@]} packages: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq >/dev/null ||
        die "apt-get update failed; check the network or the apt sources"
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >"${SQLGATE_STATE}/apt.log" 2>&1 ||
        die "apt-get install failed; see ${SQLGATE_STATE}/apt.log"
else
    step "packages present"
fi

# npm packages, each folder pinned by its package-lock.json: the deployment checks', the
# third-party drivers the integration tests run through sqlgate, the chart library the
# dashboard compiles in, and Playwright, which drives chromium in the dashboard's test.
# Installed when node_modules is missing or the lock file changed since the last install.
for npm_dir in deploy/checks tests/clients/node src/obs/dashboard tests/browser; do
    lock_sum="$(sha256sum "${npm_dir}/package-lock.json" | cut -d' ' -f1)"
    if [[ ! -d "${npm_dir}/node_modules" ||
        "$(cat "${npm_dir}/node_modules/.lock.sha256" 2>/dev/null)" != "$lock_sum" ]]; then
        step "installing npm packages (${npm_dir})"
        npm ci --prefix "$npm_dir" --no-audit --no-fund >"${SQLGATE_STATE}/npm.log" 2>&1 ||
            die "npm ci in ${npm_dir} failed; see ${SQLGATE_STATE}/npm.log"
        echo "$lock_sum" >"${npm_dir}/node_modules/.lock.sha256"
    fi
done

if ((build)); then
    build_tree build Release
    if ((sanitize)); then build_tree build-asan Debug -DSQLGATE_SANITIZE=ON; fi
fi
