// Pure parts of send-requests: latency percentiles, per-node tallies, the text report and
// the exit code, all computed from a SendRequestsResult without touching a database.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "workload/result.hpp"

namespace sqlgate::workload {

// Nearest-rank percentile: the smallest sample s such that at least p% of the samples are
// <= s, i.e. sorted[ceil(p / 100 * n) - 1], with the rank clamped to [1, n]. It is always
// one of the samples (never interpolated). p <= 0 gives the minimum, p >= 100 the maximum;
// no samples gives nullopt. Example: 20 samples -> p50 is the 10th, p95 the 19th smallest.
std::optional<std::chrono::nanoseconds> percentile(std::vector<std::chrono::nanoseconds> samples,
                                                   double p);

// Column label for a server: the node name learned for it, else "server-<id>".
std::string node_label(std::uint32_t server_id,
                       const std::map<std::uint32_t, std::string>& node_by_server_id);

struct ServedByTally {
    std::map<std::string, int> by_node;  // node label -> successful reads it answered
    int errors = 0;
    std::vector<std::chrono::nanoseconds> latencies;  // successful reads only
};

ServedByTally tally_reads(const std::vector<ReadSample>& samples,
                          const std::map<std::uint32_t, std::string>& node_by_server_id);

// Columns of the "served by" table: the --nodes names in order, then any other label that
// answered a read (unknown server ids, in numeric order).
std::vector<std::string> served_by_columns(const SendRequestsResult& result);

// "0.43 ms", "4.2 ms", "250 ms"; "-" when there is no value.
std::string format_latency(std::optional<std::chrono::nanoseconds> latency);

// Did every statement succeed and every replica converge?
bool succeeded(const SendRequestsResult& result);

// 0: everything succeeded; 1: some statement failed or replication did not converge;
// 2: the run could not proceed (SendRequestsResult::fatal_error).
int exit_code(const SendRequestsResult& result);

void print_report(const SendRequestsResult& result, std::ostream& out);

}  // namespace sqlgate::workload
