#include "front/learned_allowlist.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "front/allowlist_import.hpp"
#include "front/audit_log.hpp"
#include "sql/digest.hpp"

namespace sqlgate::front {
namespace {

using policy::FirewallMode;

class LearnedAllowlistTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("sqlgate-allowlist-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static std::vector<config::FrontUser> users(FirewallMode app, FirewallMode ops) {
        std::vector<config::FrontUser> u(2);
        u[0].name = "app";
        u[0].policy.firewall = app;
        u[1].name = "ops";
        u[1].policy.firewall = ops;
        return u;
    }
    std::string text_of(const std::filesystem::path& file) const {
        std::ifstream in(file);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    std::filesystem::path dir_;
};

TEST_F(LearnedAllowlistTest, LearnedShapesReachTheFileAtOnceAndReadBack) {
    const auto file = dir_ / "list.txt";
    {
        LearnedAllowlist list(file, users(FirewallMode::learn, FirewallMode::off));
        EXPECT_FALSE(std::filesystem::exists(file));  // created by the first shape
        EXPECT_EQ(list.learn("app", "SELECT ?"), LearnedAllowlist::Learned::added);
        EXPECT_EQ(list.learn("app", "SELECT ?"), LearnedAllowlist::Learned::known);
        EXPECT_EQ(list.learn("app", "UPDATE t SET a = ? WHERE id = ?"),
                  LearnedAllowlist::Learned::added);
        const std::string text = text_of(file);
        EXPECT_TRUE(text.starts_with("# sqlgate statement allowlist")) << text;
        EXPECT_EQ(text.find('#', text.find("app\t")), std::string::npos) << "one header";
        EXPECT_NE(text.find(policy::allowlist_line("app", "UPDATE t SET a = ? WHERE id = ?")),
                  std::string::npos);
        struct stat st {};
        ASSERT_EQ(::stat(file.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
    }
    // Read again (a restart or a reload), and extended without a second header.
    LearnedAllowlist again(file, users(FirewallMode::protect, FirewallMode::learn));
    EXPECT_TRUE(again.contains("app", "SELECT ?"));
    EXPECT_FALSE(again.contains("ops", "SELECT ?"));
    EXPECT_EQ(again.learn("ops", "SELECT ?"), LearnedAllowlist::Learned::added);
    EXPECT_EQ(policy::parse_allowlist(text_of(file)).list.size(), 3u);
    EXPECT_EQ(text_of(file).find("# sqlgate", 1), std::string::npos);
}

TEST_F(LearnedAllowlistTest, ModesComeFromTheConfigurationInForce) {
    const auto file = dir_ / "list.txt";
    LearnedAllowlist list(file, users(FirewallMode::learn, FirewallMode::off));
    config::FrontUser logged_in;  // as its session logged in, before a reload
    logged_in.name = "app";
    logged_in.policy.firewall = FirewallMode::off;
    EXPECT_EQ(list.mode_of(logged_in), FirewallMode::learn);
    logged_in.name = "removed";
    logged_in.policy.firewall = FirewallMode::protect;
    EXPECT_EQ(list.mode_of(logged_in), FirewallMode::protect);
}

TEST_F(LearnedAllowlistTest, AMissingListIsAnErrorOnlyWhereSomeoneChecksIt) {
    const auto file = dir_ / "absent.txt";
    EXPECT_NO_THROW(LearnedAllowlist(file, users(FirewallMode::learn, FirewallMode::off)));
    EXPECT_NO_THROW(LearnedAllowlist(file, users(FirewallMode::off, FirewallMode::off)));
    try {
        LearnedAllowlist(file, users(FirewallMode::learn, FirewallMode::protect));
        ADD_FAILURE() << "a protect user with no list";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("absent.txt"), std::string::npos) << e.what();
    }
    std::ofstream(dir_ / "bad.txt") << "app SELECT ?\n";
    try {
        LearnedAllowlist(dir_ / "bad.txt", users(FirewallMode::detect, FirewallMode::off));
        ADD_FAILURE() << "a bad line";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("bad.txt: line 1: expected"), std::string::npos)
            << e.what();
    }
}

TEST_F(LearnedAllowlistTest, LearningStopsAtTheCapPerUser) {
    LearnedAllowlist list(dir_ / "list.txt", users(FirewallMode::learn, FirewallMode::learn));
    for (std::size_t i = 0; i < kMaxShapesPerUser; ++i)
        ASSERT_EQ(list.learn("app", "SELECT c" + std::to_string(i)),
                  LearnedAllowlist::Learned::added);
    EXPECT_EQ(list.learn("app", "SELECT more"), LearnedAllowlist::Learned::full);
    EXPECT_FALSE(list.contains("app", "SELECT more"));
    EXPECT_EQ(list.learn("ops", "SELECT more"), LearnedAllowlist::Learned::added);
}

std::string audit_line(std::string_view user, std::string_view sql, AuditVerdict verdict) {
    const sql::StatementDigest d = sql::digest(sql);
    std::string line;
    append_audit_line(line, {.user = user,
                             .source = "127.0.0.1",
                             .digest = d.hash,
                             .statement = d.text,
                             .verdict = verdict,
                             .rule = verdict == AuditVerdict::allow ? "none" : "tautology"});
    return line;
}

TEST_F(LearnedAllowlistTest, ImportTakesAllowedWholeStatementsFromAuditLogs) {
    std::string long_select = "SELECT ";
    for (int i = 0; i < 300; ++i)
        long_select += "column_" + std::to_string(i) + ", ";
    long_select += "1";
    const std::string audit =
        audit_line("app", "SELECT name FROM t WHERE id = 5", AuditVerdict::allow) +
        audit_line("app", "SELECT name FROM t WHERE id = 9", AuditVerdict::allow) +
        audit_line("app", "SELECT * FROM t WHERE a = 1 OR 1=1", AuditVerdict::reject) +
        audit_line("app", long_select, AuditVerdict::allow) +
        audit_line("ops", "SHOW TABLES", AuditVerdict::allow);
    policy::StatementAllowlist list;
    ImportTally tally;
    EXPECT_EQ(import_allowlist_entries(audit, "app", list, tally), "");
    EXPECT_EQ(tally.added, 1u);
    EXPECT_EQ(tally.refused, 1u);
    EXPECT_EQ(tally.abridged, 1u);
    EXPECT_EQ(tally.other_users, 1u);
    EXPECT_TRUE(list.contains("app", "SELECT name FROM t WHERE id = ?"));
    EXPECT_EQ(list.size(), 1u);

    ImportTally all;
    EXPECT_EQ(import_allowlist_entries(audit + "not json\n", "", list, all),
              "line 6: not an audit record");
}

TEST_F(LearnedAllowlistTest, ImportCommandMergesListsAndLeavesABadRunUnwritten) {
    const auto into = dir_ / "into.txt";
    policy::StatementAllowlist first;
    first.add("app", "SELECT ?");
    write_allowlist_file(into, first);
    const auto source = dir_ / "source.txt";
    policy::StatementAllowlist second;
    second.add("app", "SELECT ?");
    second.add("app", "DELETE FROM t WHERE id = ?");
    second.add("ops", "SHOW TABLES");
    write_allowlist_file(source, second);

    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(run_firewall_import({.into = into, .sources = {source}, .user = "app"}, out, err), 0)
        << err.str();
    EXPECT_NE(out.str().find("2 shapes (1 before, 1 added); 1 of other users skipped"),
              std::string::npos)
        << out.str();
    EXPECT_EQ(read_allowlist_file(into).size(), 2u);

    const auto bad = dir_ / "bad.txt";
    std::ofstream(bad) << "app\t0000000000000000\tSELECT ?\n";
    const std::string before = text_of(into);
    EXPECT_EQ(run_firewall_import({.into = into, .sources = {source, bad}}, out, err), 1);
    EXPECT_NE(err.str().find("bad.txt: line 1: digest"), std::string::npos) << err.str();
    EXPECT_EQ(text_of(into), before);
}

}  // namespace
}  // namespace sqlgate::front
