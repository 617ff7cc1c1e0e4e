#include "front/audit_log.hpp"

#include <utility>

#include "obs/json_string.hpp"
#include "sql/digest.hpp"

namespace sqlgate::front {
namespace {

std::string_view front_name(AuditFront front) noexcept {
    return front == AuditFront::http ? "http" : "mysql";
}

std::string_view verdict_name(AuditVerdict verdict) noexcept {
    return verdict == AuditVerdict::reject ? "reject" : "allow";
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    obs::append_json_string(out, value);
}

}  // namespace

std::string utc_timestamp(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    const auto millis = floor<milliseconds>(time);
    const auto day = floor<days>(millis);
    const year_month_day date(day);
    const hh_mm_ss of_day(millis - day);
    char text[48];
    std::snprintf(
        text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<int>(of_day.hours().count()), static_cast<int>(of_day.minutes().count()),
        static_cast<int>(of_day.seconds().count()), static_cast<int>(of_day.subseconds().count()));
    return text;
}

void append_audit_line(std::string& out, const AuditRecord& record) {
    out += "{\"ts\":\"";
    out += utc_timestamp(record.time);
    out += '"';
    append_field(out, "user", record.user);
    append_field(out, "source", record.source);
    append_field(out, "role", record.role);
    append_field(out, "front", front_name(record.front));
    append_field(out, "digest", sql::hex64(record.digest));
    append_field(out, "statement", record.statement);
    append_field(out, "verdict", verdict_name(record.verdict));
    append_field(out, "rule", record.rule.empty() ? "none" : record.rule);
    out += "}\n";
}

AuditLog::AuditLog(std::string path) : file_(std::move(path)) {}

void AuditLog::record(const AuditRecord& record) noexcept {
    line_.clear();
    try {
        append_audit_line(line_, record);
    } catch (...) {  // out of memory: losing the line beats losing the server
        ++failures_;
        return;
    }
    if (file_.append(line_)) {
        ++written_;
    } else {
        ++failures_;
    }
}

}  // namespace sqlgate::front
