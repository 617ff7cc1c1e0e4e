# shellcheck shell=bash
# A Prometheus server (Debian's `prometheus` package) scraping the roles' admin listeners:
# started by scripts/run.sh for the local stack, and by the metrics integration test.
# Needs scripts/lib/common.sh and scripts/lib/processes.sh sourced first.

# write_prometheus_config FILE INTERVAL TARGET...: a scrape config for the TARGETs
# (ADDRESS:PORT of admin listeners), every INTERVAL (e.g. 5s).
write_prometheus_config() {
    local file="$1" interval="$2"
    shift 2
    {
        printf '# Written by scripts/lib/prometheus.sh: the sqlgate roles'"'"' admin listeners.\n'
        printf 'global:\n  scrape_interval: %s\n  evaluation_interval: %s\n' "$interval" "$interval"
        printf 'scrape_configs:\n  - job_name: sqlgate\n    static_configs:\n      - targets:\n'
        local target
        for target in "$@"; do printf '          - "%s"\n' "$target"; done
    } >"$file"
}

# prometheus_alive PID: PID is a live prometheus.
# shellcheck disable=SC2317 # called through pid_from_file and stop_processes
prometheus_alive() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "prometheus "; }

# prometheus_ready LISTEN: its HTTP API answers ready.
# shellcheck disable=SC2317 # called through wait_until
prometheus_ready() { curl -fs "http://$1/-/ready" >/dev/null 2>&1; }

# start_prometheus DIR LISTEN INTERVAL TARGET...: config, data, log and pid in DIR; the UI
# and API on LISTEN (a loopback ADDRESS:PORT); returns once it is ready.
start_prometheus() {
    local dir="$1" listen="$2" interval="$3"
    shift 3
    command -v prometheus >/dev/null || die "prometheus is not installed (scripts/setup.sh installs it)"
    mkdir -p "${dir}/data"
    stop_prometheus "$dir"
    write_prometheus_config "${dir}/prometheus.yml" "$interval" "$@"
    ensure_port_free "${listen%:*}" "${listen##*:}"
    start_detached --pid-file "${dir}/prometheus.pid" "${dir}/prometheus.log" \
        prometheus --config.file="${dir}/prometheus.yml" --storage.tsdb.path="${dir}/data" \
        --web.listen-address="$listen" --log.level=warn
    wait_until 20 prometheus_ready "$listen" ||
        die "prometheus did not become ready within 20 s; see ${dir}/prometheus.log"
}

# stop_prometheus DIR: stops the one start_prometheus started there, if it runs.
stop_prometheus() {
    local pid
    pid=$(pid_from_file "$1/prometheus.pid" prometheus_alive) || return 0
    stop_processes 10 prometheus_alive "prometheus=${pid}" || true
    rm -f "$1/prometheus.pid"
}
