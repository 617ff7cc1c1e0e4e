#include "front/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

#include "sql/digest.hpp"

namespace sqlgate::front {
namespace {

constexpr std::string_view kStderrPath = "-";

std::string_view front_name(AuditFront front) noexcept {
    return front == AuditFront::http ? "http" : "mysql";
}

std::string_view verdict_name(AuditVerdict verdict) noexcept {
    return verdict == AuditVerdict::reject ? "reject" : "allow";
}

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms,
// no surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) return 1;
    // Per lead byte: the sequence's length, the payload bits it carries, the smallest code
    // point that needs that length.
    std::size_t length = 4;
    char32_t code = lead & 0x07;
    char32_t smallest = 0x10000;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        code = lead & 0x1F;
        smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        code = lead & 0x0F;
        smallest = 0x800;
    } else if ((lead & 0xF8) != 0xF0) {
        return 0;  // a continuation byte, or 0xF8 and above
    }
    if (s.size() - i < length) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(s[i + k]);
        if ((next & 0xC0) != 0x80) return 0;
        code = (code << 6) | (next & 0x3F);
    }
    if (code < smallest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return length;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    append_json_string(out, value);
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
    out += '"';
    for (std::size_t i = 0; i < value.size();) {
        const char c = value[i];
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) {
            const std::size_t length = utf8_length(value, i);
            if (length == 0) {
                out += "\\ufffd";
                ++i;
            } else {
                out.append(value.substr(i, length));
                i += length;
            }
            continue;
        }
        ++i;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                // DEL too: a terminal tailing the log should not act on any byte in it.
                if (byte < 0x20 || byte == 0x7F) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
                    out += escaped;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

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

AuditLog::AuditLog(std::string path) : path_(std::move(path)) {
    if (path_ == kStderrPath) {
        fd_ = STDERR_FILENO;
        return;
    }
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "audit log " + path_);
}

AuditLog::~AuditLog() {
    if (fd_ != STDERR_FILENO) ::close(fd_);
}

void AuditLog::record(const AuditRecord& record) noexcept {
    line_.clear();
    try {
        append_audit_line(line_, record);
    } catch (...) {  // out of memory: losing the line beats losing the server
        ++failures_;
        return;
    }
    // A short write (a nearly full disk) is finished rather than left for the next line to be
    // glued to.
    std::size_t done = 0;
    while (done < line_.size()) {
        const ssize_t n = ::write(fd_, line_.data() + done, line_.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
        } else if (n == 0 || errno != EINTR) {
            ++failures_;
            return;
        }
    }
    ++written_;
}

bool AuditLog::reopen() noexcept {
    if (path_ == kStderrPath) return true;
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    ::close(fd_);
    fd_ = fd;
    return true;
}

}  // namespace sqlgate::front
