# bench/relay_loop.sh's results.csv in, its summary table out: medians per loop and client
# count over the repetitions, ratios to the epoll relay at the same count (needs median.awk).
#
#   awk -F, -f median.awk -f relay_loop_summary.awk DIR/results.csv

function median_in(list,    a, n, i) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) a[i] += 0
    return median_of(a, n)
}
NR > 1 && $4 == "throughput" {
    rate[$1, $2] = rate[$1, $2] " " $6; cpu[$1, $2] = cpu[$1, $2] " " $7
    if (!(($2) in seen)) { seen[$2] = 1; counts[++nc] = $2 }
    if (!(($1) in known)) { known[$1] = 1; loops[++nl] = $1 }
}
NR > 1 && $4 == "syscalls" { sys[$1, $2] = $8 }
END {
    print "| clients | loop | round trips/s | ratio | relay CPU µs/round trip | ratio | syscalls/round trip |"
    print "|---:|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= nc; i++) {
        c = counts[i]; re = median_in(rate["epoll", c]); ce = median_in(cpu["epoll", c])
        for (j = 1; j <= nl; j++) {
            l = loops[j]; r = median_in(rate[l, c]); u = median_in(cpu[l, c])
            printf "| %s | %s | %.0f | %.2f | %.1f | %.2f | %s |\n", c, l, r, r / re, u, u / ce, \
                (((l, c) in sys) ? sys[l, c] : "-")
        }
    }
}
