// The audit log: one JSON line per statement a front judged (who, from where, which digest,
// allowed or rejected by which rule), appended to a file or written to stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "front/append_only_file.hpp"

namespace sqlgate::front {

enum class AuditFront { mysql, http };
enum class AuditVerdict { allow, reject };

// Views only: a record lives for the record() call that writes it.
struct AuditRecord {
    std::chrono::system_clock::time_point time;
    std::string_view user;
    std::string_view source;  // the client's address
    std::string_view role = "gatekeeper";
    AuditFront front = AuditFront::mysql;
    std::uint64_t digest = 0;    // sql::StatementDigest::hash
    std::string_view statement;  // sql::StatementDigest::text
    AuditVerdict verdict = AuditVerdict::allow;
    std::string_view rule;  // the deciding rule's id; empty is written as "none"
};

// Appends the record's JSON line, newline included, to `out`.
void append_audit_line(std::string& out, const AuditRecord& record);

// "2026-11-28T03:40:01.123Z": UTC, milliseconds, truncated.
std::string utc_timestamp(std::chrono::system_clock::time_point time);

class AuditLog {
  public:
    // See AppendOnlyFile: "-" is stderr, a file is created with mode 0600 (the log holds
    // statement shapes and user names). Throws std::system_error when it cannot be opened.
    explicit AuditLog(std::string path);

    // Never throws: a line that cannot be written is counted in failures() and dropped.
    void record(const AuditRecord& record) noexcept;

    // Opens the path again, for log rotation; on failure keeps writing to the old file.
    bool reopen() noexcept { return file_.reopen(); }

    const std::string& path() const noexcept { return file_.path(); }
    std::uint64_t written() const noexcept { return written_; }
    std::uint64_t failures() const noexcept { return failures_; }

  private:
    AppendOnlyFile file_;
    std::string line_;  // reused, so recording a statement rarely allocates
    std::uint64_t written_ = 0;
    std::uint64_t failures_ = 0;
};

}  // namespace sqlgate::front
