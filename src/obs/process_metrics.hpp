// The samples every role's /metrics starts with: build, start time and its client sessions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "obs/metrics.hpp"

namespace sqlgate::obs {

// The version sqlgate was built as (the CMake project's).
std::string_view sqlgate_version();

struct ProcessFigures {
    std::string_view role;
    std::chrono::system_clock::time_point started;
    std::size_t sessions_open = 0;
    std::uint64_t sessions_accepted = 0;
};

void write_process_metrics(PrometheusText& out, const ProcessFigures& figures);

// Starts every role's /status object with the same fields (role, version, started,
// sessions); the role appends its own and closes it.
std::string begin_status_json(const ProcessFigures& figures);

}  // namespace sqlgate::obs
