# The median of a[1..n] (numbers), sorting a in place; "" when n is 0. POSIX awk; shared by
# summarize.awk and relay_loop_summary.awk.
function median_of(a, n,    i, j, t) {
    if (n == 0) return ""
    for (i = 2; i <= n; i++) {          # insertion sort: a handful of repetitions
        t = a[i]
        for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
        a[j + 1] = t
    }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
