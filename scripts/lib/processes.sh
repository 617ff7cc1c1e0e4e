# shellcheck shell=bash
# The processes scripts/cluster.sh, scripts/run.sh and bench/run.sh start (database nodes,
# sqlgate roles, HAProxy): started detached, found again by pid (kept in files), waited for
# with a deadline, and stopped by pid (SIGTERM, a wait, then SIGKILL), never by name: other
# people's processes share the machine. Whether a pid is still the process that was started
# is for the caller to say, with a CHECK function called as `CHECK PID NAME` (pid_alive
# where any live process will do, e.g. a child of this script).
# Needs die (scripts/lib/messages.sh).

now_us() { printf '%s' "${EPOCHREALTIME//[!0-9]/}"; }
# deadline_in SECONDS: the time (now_us) SECONDS from now.
deadline_in() { printf '%s' "$(($(now_us) + $1 * 1000000))"; }
past() { (($(now_us) > $1)); }

# wait_until SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds, or fails once
# SECONDS have passed. COMMAND may die itself, e.g. when what it waits for has exited.
wait_until() {
    local deadline
    deadline="$(deadline_in "$1")"
    shift
    until "$@"; do
        past "$deadline" && return 1
        sleep 0.05
    done
}

# port_open ADDRESS PORT: something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# ensure_port_free ADDRESS PORT: dies, saying so, when something already listens there.
ensure_port_free() {
    ! port_open "$1" "$2" || die "$1:$2 is already in use by another program; stop it and run again"
}

# start_detached [--append] [--pid-file FILE] LOG COMMAND...: COMMAND in the background, in a
# session of its own (a Ctrl-C at the terminal does not reach it: it is stopped by pid), stdin
# from /dev/null, stdout and stderr into LOG (emptied first, unless --append). Its pid goes
# into STARTED_PID, and into FILE when given. A caller holding a lock on a descriptor closes
# it for the child: `start_detached ... 9>&-`.
start_detached() {
    local append=0 pid_file=""
    while :; do
        case "$1" in
            --append) append=1 && shift ;;
            --pid-file) pid_file="$2" && shift 2 ;;
            *) break ;;
        esac
    done
    local log="$1"
    shift
    ((append)) || : >"$log"
    setsid "$@" </dev/null >>"$log" 2>&1 &
    STARTED_PID=$!
    [[ -z "$pid_file" ]] || printf '%s\n' "$STARTED_PID" >"$pid_file"
}

# pid_from_file FILE CHECK [NAME]: prints the pid FILE holds, when `CHECK PID NAME` holds.
pid_from_file() {
    local pid=""
    read -r pid 2>/dev/null <"$1" || [[ -n "$pid" ]] || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] && "$2" "$pid" "${3:-}" && printf '%s' "$pid"
}

pid_alive() { kill -0 "$1" 2>/dev/null; }

# stop_processes SECONDS CHECK NAME=PID...: SIGTERM to each process CHECK finds running, and
# waits up to SECONDS for all of them to go; those left get SIGKILL (with a warning) and 10 s
# more. Fails when one is still there after that.
stop_processes() {
    local seconds="$1" check="$2" item name
    shift 2
    local -A left=()
    for item in "$@"; do
        name="${item%=*}"
        "$check" "${item##*=}" "$name" || continue
        left[$name]="${item##*=}"
        kill -TERM "${left[$name]}" 2>/dev/null || true
    done
    wait_until "$seconds" _processes_gone "$check" && return 0
    for name in "${!left[@]}"; do
        printf 'warning: %s (pid %s) ignored SIGTERM for %ss; sending SIGKILL\n' \
            "$name" "${left[$name]}" "$seconds" >&2
        kill -KILL "${left[$name]}" 2>/dev/null || true
    done
    wait_until 10 _processes_gone "$check"
}

# _processes_gone CHECK: drops from stop_processes' `left` what CHECK finds gone; succeeds
# when nothing is left.
_processes_gone() {
    local name
    for name in "${!left[@]}"; do
        "$1" "${left[$name]}" "$name" || unset "left[$name]"
    done
    ((${#left[@]} == 0))
}
