# One sysbench 1.0 "run" report in, one results.csv row out (columns: bench/lib/columns.txt).
#
#   awk -f parse_sysbench.awk -v run_id=... -v started=... -v path=... -v workload=...
#       -v test=... -v skip_trx=on|off| -v threads=N -v rep=N -v rc=EXIT_STATUS
#       -v clk_tck=100 -v cpu="path=TICKS sqlgate_proxy=TICKS ..." -v foreign_ticks=TICKS
#       sysbench.log
#
# cpu holds the CPU clock ticks (utime+stime from /proc/PID/stat) each role used during the
# run; they become microseconds per statement (statement = one query sysbench counted).
# A report that cannot be read gives status "failed" and empty figures.

function num(s) { gsub(/[^0-9.eE+-]/, "", s); return s }
function fmt(x, d) { return (x == "" ? "" : sprintf("%." d "f", x)) }

/^ *transactions:/        { trx = num($2); have_trx = 1 }
/^ *queries:/             { queries = num($2) }
/^ *ignored errors:/      { errors = num($3) }
/^ *reconnects:/          { reconnects = num($2) }
/^ *total time:/          { duration = num($3) }
/^ *avg:/                 { avg = num($2) }
/^ *max:/                 { max = num($2) }
/^ *95th percentile:/     { p95 = num($3) }
/^ *sum:/                 { lat_sum = num($2) }
/^ *total number of events:/ { events = num($5) }

END {
    ok = (rc == 0 && have_trx && duration > 0)
    status = ok ? "ok" : "failed"
    tps = qps = spt = ""
    if (ok) {
        tps = trx / duration
        qps = queries / duration
        spt = trx > 0 ? queries / trx : ""
        # sysbench prints avg with 2 decimals (10 us steps); sum / events is exact enough.
        if (events > 0 && lat_sum != "") avg = sprintf("%.4f", lat_sum / events)
    } else {
        trx = queries = avg = p95 = max = ""
        if (errors == "") errors = ""
    }
    n = split(cpu, pairs, " ")
    for (i = 1; i <= n; i++) {
        split(pairs[i], kv, "=")
        us[kv[1]] = (ok && queries > 0) ? kv[2] * 1000000 / clk_tck / queries : ""
    }
    roles = "path sqlgate_proxy haproxy sqlgate_gatekeeper sqlgate_trusted sqlgate_chain_proxy mariadb sysbench"
    nr = split(roles, r, " ")
    cpu_cols = ""
    for (i = 1; i <= nr; i++) cpu_cols = cpu_cols "," ((r[i] in us) ? fmt(us[r[i]], 2) : "")
    # Other processes' CPU during the point, in percent of one core (clamped at 0: the
    # machine-wide counters and the per-process ones are read a few ms apart).
    foreign = ""
    if (foreign_ticks != "" && duration > 0) {
        foreign = foreign_ticks * 100 / clk_tck / duration
        if (foreign < 0) foreign = 0
    }
    printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s%s,%s\n",
        run_id, started, path, workload, test, skip_trx, threads, rep,
        fmt(duration, 3), status, trx, queries, fmt(tps, 2), fmt(qps, 2), fmt(spt, 2),
        avg, p95, max, errors, reconnects, cpu_cols, fmt(foreign, 0)
}
