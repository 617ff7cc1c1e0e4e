# results.csv in; medians.csv, summary.md and gnuplot data files out (POSIX awk, no gawk).
#
#   awk -F, -f median.awk -f summarize.awk -v out=DIR -v meta=DIR/meta.txt DIR/results.csv
#
# For every (workload, path, threads) point: the median of each figure over the repetitions
# that succeeded. Ratios are taken between medians of the same run:
#   x direct   = qps / qps of the direct reference (direct-replica for read-only workloads,
#                direct-primary for read-write ones)
#   x HAProxy  = qps / qps of the haproxy path
#   added us/stmt (1 thread) = (avg latency - direct's avg latency) / direct's statements
#                per transaction, in microseconds (for every path, the chain included)
# Targets (issue 5) are judged on these figures and marked met / missed / not measured.
# Columns added after results were first written (optional[]) may be missing in an old
# results.csv: their figures are then empty.

function median(key, metric,    n, i, v, a) {
    n = 0
    for (i = 1; i <= cnt[key]; i++) {
        v = val[key, i, metric]
        if (v != "") a[++n] = v + 0
    }
    return median_of(a, n)
}
function f(x, d) { return (x == "" ? "-" : sprintf("%." d "f", x)) }
function thousands(x,    s, r) {
    if (x == "") return "-"
    s = sprintf("%.0f", x); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
    return s r
}
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }
function ref_path(w) { return (kind[w] == "rw" || !((w SUBSEP "direct-replica") in seen_wp)) ? "direct-primary" : "direct-replica" }
function med(w, p, t, m) { return ((w, p, t) in M) ? M[w, p, t, m] : "" }
function added_us(w, p,    r) {
    r = ref_path(w)
    if (med(w, p, 1, "avg_ms") == "" || med(w, r, 1, "avg_ms") == "" || med(w, r, 1, "stmts_per_trx") == "") return ""
    return (med(w, p, 1, "avg_ms") - med(w, r, 1, "avg_ms")) * 1000 / med(w, r, 1, "stmts_per_trx")
}
function mark(ok) { return ok ? "**met**" : "**missed**" }

BEGIN {
    FS = ","
    npaths = split("direct-primary direct-replica haproxy sqlgate-random sqlgate-customized sqlgate-chain", path_order, " ")
    nwl = split("point_select read_only read_only_trx read_write", wl_order, " ")
    kind["point_select"] = kind["read_only"] = kind["read_only_trx"] = "ro"; kind["read_write"] = "rw"
    title["point_select"] = "oltp_point_select"
    title["read_only"] = "oltp_read_only, --skip_trx=on (bare autocommit SELECTs)"
    title["read_only_trx"] = "oltp_read_only, reads inside BEGIN ... COMMIT (sysbench's default)"
    title["read_write"] = "oltp_read_write"
    nmetrics = split("tps qps p95_ms avg_ms errors stmts_per_trx cpu_us_per_stmt_path cpu_us_per_stmt_sqlgate_proxy cpu_us_per_stmt_haproxy cpu_us_per_stmt_sqlgate_gatekeeper cpu_us_per_stmt_sqlgate_trusted cpu_us_per_stmt_sqlgate_chain_proxy cpu_us_per_stmt_mariadb cpu_us_per_stmt_sysbench", metrics, " ")
    optional["cpu_us_per_stmt_sqlgate_chain_proxy"] = 1
}

NR == 1 {
    for (i = 1; i <= NF; i++) col[$i] = i
    for (i = 1; i <= nmetrics; i++) if (!(metrics[i] in col) && !(metrics[i] in optional)) { print "summarize: results.csv has no column " metrics[i] > "/dev/stderr"; bad = 1; exit 2 }
    next
}
NF > 1 {
    w = $col["workload"]; p = $col["path"]; t = $col["threads"] + 0
    key = w SUBSEP p SUBSEP t
    seen_wp[w, p] = 1; seen_t[t] = 1; seen_w[w] = 1
    if (p == "sqlgate-chain") chain_seen = 1
    if (!(key in cnt)) cnt[key] = 0
    if ($col["status"] != "ok") { failed[key]++; next }
    cnt[key]++
    for (i = 1; i <= nmetrics; i++) val[key, cnt[key], metrics[i]] = ((metrics[i] in col) ? $col[metrics[i]] : "")
    run_id = $col["run_id"]
    if ("foreign_cpu_pct" in col && $col["foreign_cpu_pct"] != "") {
        fc = $col["foreign_cpu_pct"] + 0; nforeign++; sforeign += fc
        if (fc > maxforeign) maxforeign = fc
        if (fc > 25) nbusy++
    }
}

END {
    if (bad) exit 2
    # Thread counts in ascending order.
    nt = 0
    for (t in seen_t) tl[++nt] = t + 0
    for (i = 2; i <= nt; i++) { x = tl[i]; for (j = i - 1; j >= 1 && tl[j] > x; j--) tl[j + 1] = tl[j]; tl[j + 1] = x }

    medians = out "/medians.csv"
    printf "workload,path,threads,reps_ok,reps_failed" > medians
    for (i = 1; i <= nmetrics; i++) printf ",%s", metrics[i] > medians
    printf "\n" > medians
    for (key in cnt) {
        split(key, k, SUBSEP)
        M[k[1], k[2], k[3]] = 1
        for (i = 1; i <= nmetrics; i++) M[k[1], k[2], k[3], metrics[i]] = median(key, metrics[i])
        # errors: the sum over the repetitions, not a median
        e = 0; for (i = 1; i <= cnt[key]; i++) e += val[key, i, "errors"]
        M[k[1], k[2], k[3], "errors"] = e
        M[k[1], k[2], k[3], "ok"] = cnt[key]; M[k[1], k[2], k[3], "failed"] = failed[key] + 0
    }
    for (wi = 1; wi <= nwl; wi++) for (pi = 1; pi <= npaths; pi++) for (ti = 1; ti <= nt; ti++) {
        w = wl_order[wi]; p = path_order[pi]; t = tl[ti]
        if (!((w, p, t) in M)) continue
        printf "%s,%s,%d,%d,%d", w, p, t, M[w, p, t, "ok"], M[w, p, t, "failed"] > medians
        for (i = 1; i <= nmetrics; i++) printf ",%s", M[w, p, t, metrics[i]] > medians
        printf "\n" > medians
    }

    # Plot data: one file per workload and figure; a column per path, "-" where missing.
    for (wi = 1; wi <= nwl; wi++) {
        w = wl_order[wi]
        if (!(w in seen_w)) continue
        fq = out "/plot-" w "-qps.dat"; fc = out "/plot-" w "-cpu.dat"
        printf "threads" > fq; printf "threads" > fc
        for (pi = 1; pi <= npaths; pi++) if ((w, path_order[pi]) in seen_wp) {
            printf " %s", path_order[pi] > fq
            if (path_order[pi] !~ /^direct/) printf " %s", path_order[pi] > fc
        }
        printf "\n" > fq; printf "\n" > fc
        for (ti = 1; ti <= nt; ti++) {
            t = tl[ti]; printf "%d", t > fq; printf "%d", t > fc
            for (pi = 1; pi <= npaths; pi++) if ((w, path_order[pi]) in seen_wp) {
                v = med(w, path_order[pi], t, "qps"); printf " %s", (v == "" ? "-" : v) > fq
                if (path_order[pi] ~ /^direct/) continue
                v = med(w, path_order[pi], t, "cpu_us_per_stmt_path"); printf " %s", (v == "" ? "-" : v) > fc
            }
            printf "\n" > fq; printf "\n" > fc
        }
        close(fq); close(fc)
        print w > (out "/plot-workloads.txt")
    }

    # summary.md
    s = out "/summary.md"
    printf "# sqlgate benchmark %s\n\n", run_id > s
    while ((getline line < meta) > 0) {
        eq = index(line, "="); mk = substr(line, 1, eq - 1); mv = substr(line, eq + 1)
        if (mk == "skipped") {
            skipped = skipped (skipped == "" ? "" : "; ") "path " mv
            sep = index(mv, ": "); if (sep > 0) skip_why[substr(mv, 1, sep - 1)] = substr(mv, sep + 2)
        }
        else info[mk] = mv
    }
    printf "- Machine: %s\n", info["machine"] > s
    printf "- Software: %s; sqlgate %s\n", info["versions"], info["sqlgate"] > s
    printf "- Run: preset `%s`; %s; paths interleaved (%s), each point repeated %s time(s), the median reported\n", info["preset"], info["settings"], info["paths"], info["reps"] > s
    # Runs from before --ps-mode existed were all made without prepared statements.
    ps = (info["ps_mode"] == "" ? "disable" : info["ps_mode"])
    if (ps == "disable")
        printf "- sysbench runs with `--db-ps-mode=disable`: text queries (COM_QUERY) on every path.\n" > s
    else
        printf "- sysbench runs with `--db-ps-mode=%s`: prepared statements (the binary protocol) on every path; the proxy spreads prepared reads over the replicas as it does text reads.\n", ps > s
    printf "- `read_only` sends bare autocommit SELECTs (`--skip_trx=on`); `read_only_trx` is sysbench's default with `BEGIN ... COMMIT` around the reads, which the proxy keeps on the primary (as ProxySQL does), while HAProxy spreads whole connections over the replicas.\n" > s
    printf "- x direct: throughput (qps) as a ratio of direct-to-replica-1 for read-only workloads, of direct-to-primary for read_write. x HAProxy: ratio to the HAProxy path. Added us/stmt: (mean transaction latency through the path - direct's) / statements per transaction, at 1 thread. CPU us/stmt: utime+stime of the path's proxy process(es) from /proc during the point, per statement.\n" > s
    if (chain_seen)
        printf "- sqlgate-chain: sysbench -> gatekeeper (MySQL over TLS; login, firewall, an audit line per statement; rate limits off) -> trusted host (mutual TLS; the policy again) -> a proxy of its own (mutual TLS; user with `default_route = \"random\"`, as sqlgate-random) -> cluster. Its CPU us/stmt is the three processes together (each in medians.csv).\n" > s
    if (skipped != "") printf "- Not measured: %s.\n", skipped > s
    if (info["background_cpu"] != "") printf "- Background load: %s.\n", info["background_cpu"] > s
    if (nforeign > 0) printf "- Other processes used %.0f%% of one core on average during the points (at most %.0f%%); %d of %d points had more than 25%% (column foreign_cpu_pct)%s.\n", sforeign / nforeign, maxforeign, nbusy, nforeign, (nbusy > 0 ? ": **those figures are skewed**, compare them with care" : "") > s
    if (info["waited_for_other_work_s"] + 0 > 0) printf "- Waited %s s in all for other heavy work (builds, tests) to finish, before the run and between points.\n", info["waited_for_other_work_s"] > s

    # Targets
    printf "\n## Targets (issue 5)\n\n| target | path | measured | result |\n|---|---|---|---|\n" > s
    t16 = ""; for (ti = 1; ti <= nt; ti++) if (tl[ti] == 16) t16 = 16
    if (t16 == "" && nt > 0) { t16 = tl[nt]; note16 = " (16 threads not in this run: at " t16 ")" } else note16 = ""
    for (pi = 1; pi <= npaths; pi++) {
        p = path_order[pi]
        if (p !~ /^sqlgate-(random|customized)$/ || !(("point_select", p) in seen_wp)) continue
        q = med("point_select", p, t16, "qps")
        rh = ratio(q, med("point_select", "haproxy", t16, "qps"))
        rd = ratio(q, med("point_select", "direct-replica", t16, "qps"))
        if (rh != "" && rd != "")
            printf "| point_select, 16 threads%s: >= 1.5x HAProxy and >= 0.60x direct-to-replica | %s | %sx HAProxy, %sx direct (%s vs %s and %s qps) | %s |\n", note16, p, f(rh, 2), f(rd, 2), thousands(q), thousands(med("point_select", "haproxy", t16, "qps")), thousands(med("point_select", "direct-replica", t16, "qps")), mark(rh >= 1.5 && rd >= 0.60) > s
        else
            printf "| point_select, 16 threads: >= 1.5x HAProxy and >= 0.60x direct-to-replica | %s | - | not measured |\n", p > s
    }
    for (pi = 1; pi <= npaths; pi++) {
        p = path_order[pi]
        if (p !~ /^sqlgate-(random|customized)$/) continue
        for (wi = 1; wi <= nwl; wi++) {
            w = wl_order[wi]
            if (!((w, p) in seen_wp)) continue
            a = added_us(w, p); ha = added_us(w, "haproxy")
            printf "| %s, 1 thread: <= 15 us added per statement | %s | %s | %s |\n", w, p, (a == "" ? "-" : sprintf("%+.1f us/stmt (HAProxy %s)", a, (ha == "" ? "-" : sprintf("%+.1f", ha)))), (a == "" ? "not measured" : mark(a <= 15)) > s
        }
    }
    for (pi = 1; pi <= npaths; pi++) {
        p = path_order[pi]
        if (p !~ /^sqlgate-(random|customized)$/) continue
        for (wi = 1; wi <= nwl; wi++) {
            w = wl_order[wi]
            if (!((w, p) in seen_wp)) continue
            worst = ""; best = ""
            for (ti = 1; ti <= nt; ti++) {
                c = med(w, p, tl[ti], "cpu_us_per_stmt_path")
                if (c == "") continue
                if (worst == "" || c > worst) { worst = c; wt = tl[ti] }
                if (best == "" || c < best) { best = c; bt = tl[ti] }
            }
            if (worst == "") printf "| %s: proxy CPU <= 8 us per statement | %s | - | not measured |\n", w, p > s
            else printf "| %s: proxy CPU <= 8 us per statement (every thread count) | %s | %.1f us/stmt at %d thr .. %.1f at %d thr (HAProxy %s .. %s) | %s |\n", w, p, worst, wt, best, bt, f(min_cpu(w, "haproxy"), 1), f(max_cpu(w, "haproxy"), 1), mark(worst <= 8) > s
        }
    }
    chain_rows = 0
    for (wi = 1; wi <= nwl; wi++) {
        w = wl_order[wi]
        if (!((w, "sqlgate-chain") in seen_wp)) continue
        chain_rows++
        a = added_us(w, "sqlgate-chain"); pa = added_us(w, "sqlgate-random"); ha = added_us(w, "haproxy")
        printf "| %s, 1 thread: full chain (gatekeeper, TLS) <= 60 us added per statement | sqlgate-chain | %s | %s |\n", w,
            (a == "" ? "-" : sprintf("%+.1f us/stmt (sqlgate-random %s, HAProxy %s)", a, (pa == "" ? "-" : sprintf("%+.1f", pa)), (ha == "" ? "-" : sprintf("%+.1f", ha)))),
            (a == "" ? "not measured" : mark(a <= 60)) > s
    }
    if (chain_rows == 0)
        printf "| full chain (gatekeeper, TLS): <= 60 us added per statement | sqlgate-chain | - | not measured%s |\n", (("sqlgate-chain" in skip_why) ? ": " skip_why["sqlgate-chain"] : " (not in this run)") > s

    # A table per workload
    for (wi = 1; wi <= nwl; wi++) {
        w = wl_order[wi]
        if (!(w in seen_w)) continue
        r = ref_path(w)
        printf "\n## %s\n\n", title[w] > s
        printf "Statements per transaction: %s. x direct is relative to %s.\n\n", f(med(w, r, tl[1], "stmts_per_trx"), 1), r > s
        printf "| threads | path | qps | tps | p95 ms | errors | x direct | x HAProxy | added us/stmt | proxy CPU us/stmt |\n" > s
        printf "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n" > s
        for (ti = 1; ti <= nt; ti++) for (pi = 1; pi <= npaths; pi++) {
            t = tl[ti]; p = path_order[pi]
            if (!((w, p, t) in M)) continue
            q = med(w, p, t, "qps")
            fails = M[w, p, t, "failed"] > 0 ? sprintf(" (%d of %d runs failed)", M[w, p, t, "failed"], M[w, p, t, "failed"] + M[w, p, t, "ok"]) : ""
            printf "| %d | %s%s | %s | %s | %s | %s | %s | %s | %s | %s |\n", t, p, fails, thousands(q),
                thousands(med(w, p, t, "tps")), f(med(w, p, t, "p95_ms"), 2), M[w, p, t, "errors"],
                (p == r ? "1.00" : f(ratio(q, med(w, r, t, "qps")), 2)),
                (p == "haproxy" || p ~ /^direct/ ? "" : f(ratio(q, med(w, "haproxy", t, "qps")), 2)),
                (t == 1 && p != r ? sprintf("%+.1f", added_us(w, p)) : ""),
                f(med(w, p, t, "cpu_us_per_stmt_path"), 1) > s
        }
    }
    printf "\nPer-run figures: results.csv; medians of every figure (CPU of each process: sqlgate proxy, HAProxy, the chain's gatekeeper, trusted host and proxy, MariaDB nodes, sysbench): medians.csv.\n" > s
}
function min_cpu(w, p,    ti, c, m) { m = ""; for (ti = 1; ti <= nt; ti++) { c = med(w, p, tl[ti], "cpu_us_per_stmt_path"); if (c != "" && (m == "" || c < m)) m = c } return m }
function max_cpu(w, p,    ti, c, m) { m = ""; for (ti = 1; ti <= nt; ti++) { c = med(w, p, tl[ti], "cpu_us_per_stmt_path"); if (c != "" && (m == "" || c > m)) m = c } return m }
