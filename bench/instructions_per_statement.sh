#!/usr/bin/env bash
# Instructions the gatekeeper spends per statement, counted by callgrind: repeatable for the
# same binary and input whatever else the machine does, so two builds can be compared where
# wall-clock figures drift more than the difference (see docs/design-notes.md).
#
#   bench/instructions_per_statement.sh BINARY [BINARY...]
#
# Needs the local stack of scripts/run.sh (it is started if it is not running). For each
# binary it runs the gatekeeper under callgrind with the local config twice, serving N1 and
# N2 statements over one `mariadb` connection, and prints (Ir(N2) - Ir(N1)) / (N2 - N1):
# the statement's cost through the engine, the gate (firewall, rate limits, audit) and the
# relay, without start-up and login. The gatekeeper of run.sh is restarted afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"
# shellcheck source=scripts/lib/processes.sh
source "${ROOT}/scripts/lib/processes.sh"

(($#)) || die "usage: bench/instructions_per_statement.sh BINARY [BINARY...]"
command -v valgrind >/dev/null || die "valgrind is missing (apt-get install valgrind)"
readonly LOCAL="${SQLGATE_STATE}/local" N1=500 N2=2500 ADDRESS=127.0.10.1 PORT=3306
# The trusted host answering means the stack of run.sh is up.
port_open 127.0.10.2 "$PORT" || "${ROOT}/scripts/run.sh" >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for n in "$N1" "$N2"; do
    for ((i = 0; i < n; i++)); do
        echo "SELECT id, column1 FROM main_db.direct_table WHERE id = $((i % 20 + 1));"
    done >"${work}/statements-${n}.sql"
done

# instructions BINARY N: the gatekeeper's total Ir for one run serving N statements.
instructions() {
    local binary="$1" n="$2" pid
    valgrind --tool=callgrind --callgrind-out-file="${work}/out" \
        "$binary" gatekeeper --config "${LOCAL}/gatekeeper.toml" >"${work}/log" 2>&1 &
    pid=$!
    wait_until 60 port_open "$ADDRESS" "$PORT" || die "the gatekeeper did not start: ${work}/log"
    mariadb --defaults-extra-file="${LOCAL}/client.cnf" -N -B <"${work}/statements-${n}.sql" \
        >/dev/null || die "statements failed through $binary"
    kill -TERM "$pid"
    wait "$pid" || true
    sed -n 's/^summary: //p' "${work}/out"
}

stop_processes 10 pid_alive "gatekeeper=$(cat "${LOCAL}/gatekeeper.pid")" ||
    die "the local gatekeeper did not stop"
for binary in "$@"; do
    step "measuring $binary"
    low="$(instructions "$binary" "$N1")"
    high="$(instructions "$binary" "$N2")"
    printf '%s\t%d instructions per statement\n' "$binary" $(((high - low) / (N2 - N1)))
done
step "restarting the local stack's gatekeeper"
"${ROOT}/scripts/run.sh" >/dev/null
