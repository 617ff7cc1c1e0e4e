// A mixed read/write load for failover drills: writer threads insert rows and remember each
// one acknowledged, reader threads count rows; what failed, and when writes came back.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace sqlgate::workload {

struct MixedLoadOptions {
    std::string defaults_file;  // [client] group: where to connect, as whom, TLS
    std::string table = "main_db.failover_drill";
    int writers = 4;
    int readers = 16;
    std::chrono::milliseconds duration{10'000};
    std::string acknowledged_file;  // one row key per acknowledged insert; empty: none
    // Every statement's outcome, "EPOCH_MS write|read ok|ERROR_CODE" per line; empty: none.
    std::string events_file;
    // Statements per second over all threads (0: as fast as they go). The demo user's rate
    // limit at the gatekeeper is 2,000/s: a drill must stay under it.
    int rate = 1000;
};

void add_mixed_load_options(CLI::App& sub, MixedLoadOptions& opts);

// Runs the load and prints key=value lines on `out` (times as Unix epoch milliseconds):
//   reads_ok reads_failed writes_acknowledged writes_failed
//   first_failed_write_ms writes_resumed_ms (the first acknowledged after it; 0 if none)
// Returns 0, or 2 when the table cannot be created.
int run_mixed_load(const MixedLoadOptions& opts, std::ostream& out);

}  // namespace sqlgate::workload
