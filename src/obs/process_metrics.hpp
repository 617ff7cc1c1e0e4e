// The samples every role's /metrics starts with: build, start time, its client sessions and
// how its listeners' connections fared.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "obs/connection_counters.hpp"
#include "obs/metrics.hpp"

namespace sqlgate::obs {

// The version sqlgate was built as (the CMake project's).
std::string_view sqlgate_version();

// One listener's connection figures; `listener` is its protocol ("mysql" or "http").
struct ListenerFigures {
    std::string_view listener;
    const ConnectionCounters* counters = nullptr;
};

struct ProcessFigures {
    std::string_view role;
    std::chrono::system_clock::time_point started;
    std::size_t sessions_open = 0;
    std::uint64_t sessions_accepted = 0;
    std::vector<ListenerFigures> listeners;
    std::string_view config_digest;  // SHA-256 of the configuration file in force, hex
};

void write_process_metrics(PrometheusText& out, const ProcessFigures& figures);

// Starts every role's /status object with the same fields (role, version, started, config
// digest, sessions, connection refusals); the role appends its own and closes it.
std::string begin_status_json(const ProcessFigures& figures);

}  // namespace sqlgate::obs
