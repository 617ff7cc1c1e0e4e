// The firewall through the real chain: corpora of application statements that must run and
// of injections that must be refused with the right rule, read-only users, the trusted
// host's second check, and rate limits.
#include <gtest/gtest.h>
#include <mysql.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "eventually.hpp"
#include "harness/chain.hpp"
#include "harness/raw_mysql_client.hpp"
#include "harness/sql_statement.hpp"
#include "harness/test_cluster.hpp"

namespace sqlgate::testing {
namespace {

constexpr unsigned kRejectedCode = 1227;  // ER_SPECIFIC_ACCESS_DENIED_ERROR, SQLSTATE 42000
constexpr unsigned kRateLimitedCode = 1226;

struct CorpusLine {
    std::string sql;
    std::string rule;  // rejected.sql only
    int line = 0;
};

std::vector<CorpusLine> read_corpus(const std::string& name) {
    std::ifstream in(source_dir() + "/tests/integration/corpus/" + name);
    EXPECT_TRUE(in) << name;
    std::vector<CorpusLine> out;
    std::string text;
    for (int n = 1; std::getline(in, text); ++n) {
        if (text.empty() || text[0] == '#') continue;
        CorpusLine line{.line = n};
        const auto tab = text.find('\t');
        if (tab != std::string::npos) {
            line.rule = text.substr(tab + 1);
            text.resize(tab);
        }
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
                line.sql += '\n';
                ++i;
            } else {
                line.sql += text[i];
            }
        }
        out.push_back(std::move(line));
    }
    return out;
}

class FirewallTest : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }
};

TEST_F(FirewallTest, ApplicationStatementsRunAndInjectionsAreRefusedWithTheirRule) {
    Chain chain;
    auto c = chain.connect();
    ASSERT_TRUE(c);
    for (const CorpusLine& line : read_corpus("schema.sql")) {
        const auto r = c->query(line.sql);
        ASSERT_TRUE(r.ok) << "schema.sql:" << line.line << ": " << r.error;
    }
    const auto accepted = read_corpus("accepted.sql");
    const auto rejected = read_corpus("rejected.sql");
    EXPECT_GE(accepted.size(), 60u);
    EXPECT_GE(rejected.size(), 60u);
    for (const CorpusLine& line : accepted) {
        const auto r = c->query(line.sql);
        EXPECT_TRUE(r.ok) << "accepted.sql:" << line.line << ": " << line.sql << "\n-> "
                          << r.error_code << " " << r.error;
    }
    for (const CorpusLine& line : rejected) {
        const auto r = c->query(line.sql);
        EXPECT_FALSE(r.ok) << "rejected.sql:" << line.line << " ran: " << line.sql;
        EXPECT_EQ(r.error_code, kRejectedCode) << "rejected.sql:" << line.line << ": " << r.error;
        EXPECT_NE(r.error.find(line.rule), std::string::npos)
            << "rejected.sql:" << line.line << ": expected rule " << line.rule << ", got "
            << r.error;
        // The connection stays usable after every refusal.
        ASSERT_EQ(c->query("SELECT 7").scalar(), "7") << "after rejected.sql:" << line.line;
    }
    const std::string audit = chain.audit_log();
    EXPECT_NE(audit.find("\"verdict\":\"reject\""), std::string::npos);
    EXPECT_NE(audit.find("\"rule\":\"tautology\""), std::string::npos);
}

TEST_F(FirewallTest, AReadOnlyUserCannotWrite) {
    Chain chain;
    auto app = chain.connect();
    ASSERT_TRUE(app);
    ASSERT_TRUE(app->query("CREATE TABLE IF NOT EXISTS ro_check (id INT PRIMARY KEY)").ok);
    auto reader = chain.connect(kReaderUser, kReaderPassword);
    ASSERT_TRUE(reader);
    EXPECT_TRUE(reader->query("SELECT COUNT(*) FROM ro_check").ok);
    for (const char* write :
         {"INSERT INTO ro_check VALUES (1)", "DELETE FROM ro_check", "UPDATE ro_check SET id = 2",
          "DROP TABLE ro_check", "SELECT * FROM ro_check FOR UPDATE"}) {
        const auto r = reader->query(write);
        EXPECT_FALSE(r.ok) << write;
        EXPECT_EQ(r.error_code, kRejectedCode) << write << ": " << r.error;
        EXPECT_NE(r.error.find("statement_not_allowed"), std::string::npos) << r.error;
    }
}

TEST_F(FirewallTest, TheTrustedHostChecksThePolicyAgain) {
    // As if the gatekeeper were compromised: its own certificate and address, asserting the
    // read-only user, sending a write. The trusted host must refuse it on its own.
    Chain chain;
    auto raw = RawMysqlConnection::open(kTrustedHostAddress, chain.trusted_host_port(),
                                        kGatekeeperAddress);
    ASSERT_TRUE(raw);
    ASSERT_TRUE(raw->start_tls({.ca = chain.certs() + "/ca.crt",
                                .certificate = chain.certs() + "/gatekeeper.crt",
                                .private_key = chain.certs() + "/gatekeeper.key"}));
    std::string error;
    ASSERT_TRUE(raw->login(kReaderUser, "", &error)) << error;
    std::vector<std::uint8_t> query = {0x03};
    const std::string sql = "DROP TABLE customers";
    query.insert(query.end(), sql.begin(), sql.end());
    ASSERT_TRUE(raw->write_packet(query, 0));
    std::vector<std::uint8_t> reply;
    std::uint8_t sequence = 0;
    ASSERT_TRUE(raw->read_packet(reply, sequence));
    ASSERT_FALSE(reply.empty());
    EXPECT_EQ(reply[0], 0xff);
    const std::string text(reply.begin(), reply.end());
    EXPECT_NE(text.find("statement_not_allowed"), std::string::npos) << text;
    // An unknown user is refused even with the right certificate.
    auto stranger = RawMysqlConnection::open(kTrustedHostAddress, chain.trusted_host_port(),
                                             kGatekeeperAddress);
    ASSERT_TRUE(stranger);
    ASSERT_TRUE(stranger->start_tls({.ca = chain.certs() + "/ca.crt",
                                     .certificate = chain.certs() + "/gatekeeper.crt",
                                     .private_key = chain.certs() + "/gatekeeper.key"}));
    EXPECT_FALSE(stranger->login("root", "", &error));
}

// A chain whose users may send four statements a second (a burst of four).
ChainScenario four_per_second() {
    ChainScenario s;
    s.per_user_per_second = 4;
    s.per_user_burst = 4;
    return s;
}

TEST_F(FirewallTest, ARateLimitedUserGetsTheErrorAndRecoversAfterTheRefill) {
    Chain chain(four_per_second());
    auto c = chain.connect();
    ASSERT_TRUE(c);
    int refused = 0;
    std::string error;
    for (int i = 0; i < 12; ++i) {
        const auto r = c->query("SELECT 1");
        if (!r.ok) {
            ++refused;
            EXPECT_EQ(r.error_code, kRateLimitedCode) << r.error;
            error = r.error;
        }
    }
    EXPECT_GE(refused, 6);
    EXPECT_NE(error.find("rate_limit"), std::string::npos) << error;
    // A refused statement takes no token, so retrying shows the bucket refill (one token
    // every 250 ms) without delaying it.
    QueryResult after;
    EXPECT_TRUE(eventually("a statement allowed again after the refill", std::chrono::seconds(3),
                           [&] {
                               after = c->query("SELECT 5");
                               return after.ok;
                           }))
        << after.error;
    EXPECT_EQ(after.scalar(), "5");
}

TEST_F(FirewallTest, EachExecutionOfAPreparedStatementCountsForTheRateLimits) {
    Chain chain(four_per_second());
    auto c = chain.connect();
    ASSERT_TRUE(c);
    SqlStatement statement(*c, "SELECT ? + 1");
    ASSERT_TRUE(statement.prepared()) << statement.error();
    ASSERT_TRUE(statement.bind({1}));
    int refused = 0;
    std::string error;
    for (int i = 0; i < 12; ++i) {
        if (const auto rows = statement.run()) {
            EXPECT_EQ(rows->at(0).at(0), "2");
        } else {
            ++refused;
            EXPECT_EQ(mysql_stmt_errno(statement.handle()), kRateLimitedCode);
            error = statement.error();
        }
    }
    EXPECT_GE(refused, 6);
    EXPECT_NE(error.find("rate_limit"), std::string::npos) << error;
    EXPECT_NE(chain.audit_log().find("COM_STMT_EXECUTE"), std::string::npos);
    // As above: a refused execution takes no token, so retrying waits for the refill only.
    std::optional<std::vector<std::vector<std::string>>> again;
    ASSERT_TRUE(eventually("an execution allowed again after the refill", std::chrono::seconds(3),
                           [&] {
                               again = statement.run();
                               return again.has_value();
                           }))
        << statement.error();
    EXPECT_EQ(again->at(0).at(0), "2");
}

}  // namespace
}  // namespace sqlgate::testing
