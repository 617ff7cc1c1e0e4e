#include "front/audit_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "sql/digest.hpp"

namespace sqlgate::front {
namespace {

using namespace std::chrono;
using nlohmann::json;

const system_clock::time_point kWhen =
    sys_days{2026y / 11 / 28} + hours(3) + minutes(40) + seconds(1) + milliseconds(123);

std::string line_of(const AuditRecord& record) {
    std::string line;
    append_audit_line(line, record);
    return line;
}

// The text of a JSON line as nlohmann reads it: any invalid JSON or UTF-8 fails the test.
json parse_line(const std::string& line) {
    EXPECT_TRUE(line.ends_with("\n"));
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line: " << line;
    return json::parse(line);
}

class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "sqlgate-audit-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
        path_ = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

std::vector<std::string> read_lines(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line + "\n");
    return lines;
}

TEST(AuditLine, HasEveryFieldInOrder) {
    const sql::StatementDigest d = sql::digest("select * from t where id in (1, 2)");
    const std::string line = line_of({.time = kWhen,
                                      .user = "demo",
                                      .source = "127.0.10.9",
                                      .front = AuditFront::mysql,
                                      .digest = d.hash,
                                      .statement = d.text});
    EXPECT_EQ(line,
              "{\"ts\":\"2026-11-28T03:40:01.123Z\",\"user\":\"demo\",\"source\":"
              "\"127.0.10.9\",\"role\":\"gatekeeper\",\"front\":\"mysql\",\"digest\":\"" +
                  d.hash_hex() +
                  "\",\"statement\":\"SELECT * FROM t WHERE id IN (...)\","
                  "\"verdict\":\"allow\",\"rule\":\"none\"}\n");
    const json j = parse_line(line);
    EXPECT_EQ(j.size(), 9u);
    EXPECT_EQ(j["digest"], d.hash_hex());
    EXPECT_EQ(j["digest"].get<std::string>().size(), 16u);
}

TEST(AuditLine, RejectWithRuleFromHttp) {
    const json j = parse_line(line_of({.time = kWhen,
                                       .user = "u",
                                       .source = "::1",
                                       .role = "trusted_host",
                                       .front = AuditFront::http,
                                       .digest = 0xabc,
                                       .statement = "DROP TABLE t",
                                       .verdict = AuditVerdict::reject,
                                       .rule = "deny-ddl"}));
    EXPECT_EQ(j["role"], "trusted_host");
    EXPECT_EQ(j["front"], "http");
    EXPECT_EQ(j["verdict"], "reject");
    EXPECT_EQ(j["rule"], "deny-ddl");
    EXPECT_EQ(j["digest"], "0000000000000abc");
}

TEST(AuditLine, EscapesQuotesNewlinesAndControlCharacters) {
    const std::string user = "de\"mo\\\n\r\t\x01\x1f\x7f end";
    const std::string statement = "SELECT `a\"b`\nFROM t\x08\x0c";
    const std::string line = line_of({.time = kWhen, .user = user, .statement = statement});
    EXPECT_NE(line.find(R"("user":"de\"mo\\\n\r\t\u0001\u001f\u007f end")"), std::string::npos)
        << line;
    const json j = parse_line(line);
    EXPECT_EQ(j["user"], user);
    EXPECT_EQ(j["statement"], statement);
    for (const char c : line.substr(0, line.size() - 1))
        EXPECT_GE(static_cast<unsigned char>(c), 0x20) << line;
}

TEST(AuditLine, KeepsUtf8AndReplacesInvalidBytes) {
    const std::string valid = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80";  // é € 😀
    EXPECT_EQ(parse_line(line_of({.time = kWhen, .user = valid}))["user"], valid);
    const std::string invalid[] = {
        "a\xFF"
        "b",      // never in UTF-8
        "a\xC3",  // cut short
        "a\xC0\xAF"
        "b",  // overlong '/'
        "a\xED\xA0\x80"
        "b",                  // a surrogate
        "a\xF4\x90\x80\x80",  // past U+10FFFF
        "a\x80"
        "b",  // a stray continuation byte
    };
    for (const std::string& bad : invalid) {
        const json j = parse_line(line_of({.time = kWhen, .user = bad}));
        const std::string user = j["user"].get<std::string>();
        EXPECT_TRUE(user.starts_with("a\xEF\xBF\xBD")) << bad;  // U+FFFD
    }
}

TEST(AuditLine, TimestampsAreUtcMilliseconds) {
    EXPECT_EQ(utc_timestamp(kWhen), "2026-11-28T03:40:01.123Z");
    EXPECT_EQ(utc_timestamp(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(utc_timestamp(sys_days{2024y / 2 / 29} + hours(23) + minutes(59) + seconds(59) +
                            microseconds(999'999)),
              "2024-02-29T23:59:59.999Z");
}

TEST(AuditLog, AppendsLinesToAPrivateFile) {
    TempDir dir;
    const auto path = dir / "audit.log";
    {
        AuditLog log(path.string());
        for (int i = 0; i < 3; ++i) {
            const std::string user = "user" + std::to_string(i);
            log.record({.time = kWhen, .user = user, .statement = "SELECT ?"});
        }
        EXPECT_EQ(log.written(), 3u);
        EXPECT_EQ(log.failures(), 0u);
    }
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    {
        AuditLog again(path.string());  // appends, does not truncate
        again.record({.time = kWhen, .user = "user3"});
    }
    const std::vector<std::string> lines = read_lines(path);
    ASSERT_EQ(lines.size(), 4u);
    for (std::size_t i = 0; i < lines.size(); ++i)
        EXPECT_EQ(parse_line(lines[i])["user"], "user" + std::to_string(i));
}

TEST(AuditLog, TwoWritersOnOneFileKeepLinesWhole) {
    TempDir dir;
    const auto path = dir / "audit.log";
    AuditLog a(path.string());
    AuditLog b(path.string());
    const std::string long_statement(3000, 'x');
    for (int i = 0; i < 50; ++i) {
        a.record({.time = kWhen, .user = "a", .statement = long_statement});
        b.record({.time = kWhen, .user = "b", .statement = long_statement});
    }
    const std::vector<std::string> lines = read_lines(path);
    ASSERT_EQ(lines.size(), 100u);
    for (std::size_t i = 0; i < lines.size(); ++i)
        EXPECT_EQ(parse_line(lines[i])["user"], i % 2 == 0 ? "a" : "b");
}

TEST(AuditLog, WriteFailuresAreCountedNotThrown) {
    AuditLog full("/dev/full");
    EXPECT_NO_THROW(full.record({.time = kWhen, .user = "u"}));
    EXPECT_NO_THROW(full.record({.time = kWhen, .user = "u"}));
    EXPECT_EQ(full.failures(), 2u);
    EXPECT_EQ(full.written(), 0u);
}

TEST(AuditLog, OpeningAnImpossiblePathThrows) {
    EXPECT_THROW(AuditLog("/nonexistent-dir/audit.log"), std::system_error);
}

TEST(AuditLog, ReopenFollowsRotation) {
    TempDir dir;
    const auto path = dir / "audit.log";
    const auto rotated = dir / "audit.log.1";
    AuditLog log(path.string());
    log.record({.time = kWhen, .user = "before"});
    std::filesystem::rename(path, rotated);
    log.record({.time = kWhen, .user = "still-old"});
    ASSERT_TRUE(log.reopen());
    log.record({.time = kWhen, .user = "after"});
    const std::vector<std::string> old_lines = read_lines(rotated);
    const std::vector<std::string> new_lines = read_lines(path);
    ASSERT_EQ(old_lines.size(), 2u);
    ASSERT_EQ(new_lines.size(), 1u);
    EXPECT_EQ(parse_line(new_lines[0])["user"], "after");

    std::filesystem::remove_all(dir / "");
    EXPECT_FALSE(log.reopen());  // the directory is gone: keep the old descriptor
    log.record({.time = kWhen, .user = "orphan"});
    EXPECT_EQ(log.failures(), 0u);
}

TEST(AuditLog, DashIsStderr) {
    AuditLog log("-");
    EXPECT_TRUE(log.reopen());
    testing::internal::CaptureStderr();
    log.record({.time = kWhen, .user = "on-stderr"});
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(parse_line(err)["user"], "on-stderr");
}

}  // namespace
}  // namespace sqlgate::front
