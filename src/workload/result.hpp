// What one send-requests run observed: writes, reads per strategy, replication per table.
// Plain data with no I/O, so reports and tests can be built from it without a database.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sqlgate::workload {

// The read strategies exercised, in report order; each reads its own table "<strategy>_table".
inline constexpr const char* kStrategies[] = {"direct", "random", "customized"};

std::string table_for_strategy(const std::string& strategy);

struct WriteTally {
    std::string table;
    int attempted = 0;
    int acknowledged = 0;  // INSERTs answered with OK and one affected row
    std::vector<std::string> errors;
};

struct ReadSample {
    std::optional<std::uint32_t> server_id;  // set exactly when the read succeeded
    std::chrono::nanoseconds latency{0};     // query sent -> whole result fetched
    std::string error;                       // empty on success
};

struct StrategyReads {
    std::string strategy;
    std::string table;
    std::vector<ReadSample> samples;
};

struct NodeCount {
    std::string node;
    // Both describe the node's last poll: a row count, or why it could not be had.
    std::optional<std::uint64_t> rows;
    std::string error;
};

struct TableReplication {
    std::string table;
    std::vector<NodeCount> nodes;  // in --nodes order; the first is the reference (primary)
    bool converged = false;        // every node answered with the reference count
};

struct SendRequestsResult {
    // Set when the run could not proceed (bad options, no connection, schema setup failed);
    // the other fields then hold whatever was gathered before.
    std::string fatal_error;

    std::vector<std::string> nodes;  // as given with --nodes; nodes.front() is the primary
    std::vector<WriteTally> writes;
    std::vector<StrategyReads> reads;
    std::vector<TableReplication> replication;
    std::chrono::milliseconds replication_wait{0};  // time until convergence, or the deadline
    bool replication_checked = false;

    // Learned from the node-hinted replication queries; first node wins on a clash.
    std::map<std::uint32_t, std::string> node_by_server_id;

    std::vector<std::string> warnings;  // worth reading but not a failure
};

}  // namespace sqlgate::workload
