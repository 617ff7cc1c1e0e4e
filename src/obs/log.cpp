#include "obs/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <string>

namespace sqlgate::obs {
namespace {

LogLevel g_level = LogLevel::info;

constexpr std::size_t kRecentWarnings = 20;
std::mutex g_recent_mutex;
std::deque<std::string> g_recent;  // warn and error lines, oldest first

constexpr std::string_view level_name(LogLevel l) {
    switch (l) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

// Values with spaces or quotes are quoted so that lines stay machine-readable.
void append_value(std::string& line, std::string_view v) {
    const bool plain = !v.empty() && v.find_first_of(" \"=\t\n") == std::string_view::npos;
    if (plain) {
        line += v;
        return;
    }
    line += '"';
    for (char c : v) {
        if (c == '"' || c == '\\') line += '\\';
        line += (c == '\n' || c == '\t') ? ' ' : c;
    }
    line += '"';
}

}  // namespace

void set_log_level(LogLevel level) {
    g_level = level;
}
bool log_enabled(LogLevel level) {
    return level >= g_level;
}

void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
    if (!log_enabled(level)) return;
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[80];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    std::string line = "ts=";
    line += stamp;
    line += " level=";
    line += level_name(level);
    line += " event=";
    line += event;
    for (const auto& [key, value] : fields) {
        line += ' ';
        line += key;
        line += '=';
        append_value(line, value);
    }
    line += '\n';
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, line.data(), line.size());
    if (level >= LogLevel::warn) {
        const std::lock_guard lock(g_recent_mutex);
        if (g_recent.size() == kRecentWarnings) g_recent.pop_front();
        g_recent.emplace_back(line, 0, line.size() - 1);
    }
}

std::vector<std::string> recent_warnings() {
    const std::lock_guard lock(g_recent_mutex);
    return {g_recent.begin(), g_recent.end()};
}

}  // namespace sqlgate::obs
