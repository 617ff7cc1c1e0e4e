// Structured log lines on stderr: `ts=… level=… event=… key=value …`, one write per line so
// lines from different sessions never interleave.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqlgate::obs {

enum class LogLevel { debug, info, warn, error };

using LogField = std::pair<std::string_view, std::string_view>;

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);
void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

// The last lines logged at warn or error (oldest first, at most 20): what an operator's
// dashboard shows of failovers, servers going down and refused rejoins.
std::vector<std::string> recent_warnings();

}  // namespace sqlgate::obs
