// The gatekeeper pattern end to end: a stock client reaches the cluster only through
// gatekeeper -> trusted host -> proxy, and each internal hop refuses anyone but the hop
// before it (certificate and source address), before authentication.
#include "harness/chain.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "eventually.hpp"
#include "harness/raw_mysql_client.hpp"
#include "harness/sql_statement.hpp"
#include "harness/test_cluster.hpp"

namespace sqlgate::testing {
namespace {

class ChainTest : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }
};

TEST_F(ChainTest, WritesAndRoutedReadsPassTheWholeChain) {
    Chain chain;
    auto c = chain.connect();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->query("CREATE TABLE IF NOT EXISTS chain_rw (id INT PRIMARY KEY, v TEXT)").ok);
    ASSERT_TRUE(c->query("DELETE FROM chain_rw").ok);
    const auto insert = c->query("INSERT INTO chain_rw VALUES (1, 'it''s -- here; OR 1=1')");
    ASSERT_TRUE(insert.ok) << insert.error;
    EXPECT_EQ(insert.affected_rows, 1u);
    // Read your writes holds across the chain; the value comes back byte for byte.
    const auto row = c->query("/* sqlgate:route=random */ SELECT v FROM chain_rw WHERE id = 1");
    ASSERT_TRUE(row.ok) << row.error;
    EXPECT_EQ(row.scalar(), "it's -- here; OR 1=1");
    // Route hints pass the gatekeeper and the trusted host unchanged.
    EXPECT_EQ(c->server_id("/* sqlgate:route=direct */ "), TestCluster::get().primary().server_id);
    int replica_reads = 0;
    for (int i = 0; i < 10; ++i)
        replica_reads += c->server_id("/* sqlgate:route=random */ ") > 1;
    EXPECT_EQ(replica_reads, 10);
    EXPECT_NE(chain.audit_log().find("\"verdict\":\"allow\""), std::string::npos);
}

TEST_F(ChainTest, PreparedReadsAndCursorsPassTheWholeChain) {
    Chain chain;
    auto c = chain.connect();
    ASSERT_TRUE(c);
    const int primary = TestCluster::get().primary().server_id;
    SqlStatement read(*c, "SELECT @@server_id, ? * 2");
    ASSERT_TRUE(read.prepared()) << read.error();
    ASSERT_TRUE(read.bind({21}));
    for (int i = 0; i < 5; ++i) {
        const auto rows = read.run();
        ASSERT_TRUE(rows) << read.error();
        EXPECT_NE(std::stoi(rows->at(0).at(0)), primary);
        EXPECT_EQ(rows->at(0).at(1), "42");
    }
    // Every hop knows that a cursor's rows come by COM_STMT_FETCH.
    SqlStatement cursor(*c, "SELECT seq FROM seq_1_to_10");
    ASSERT_TRUE(cursor.prepared()) << cursor.error();
    ASSERT_TRUE(cursor.use_cursor(3));
    const auto rows = cursor.run();
    ASSERT_TRUE(rows) << cursor.error();
    EXPECT_EQ(rows->size(), 10u);
    // The firewall checks a prepared statement's text as it checks a query.
    SqlStatement refused(*c, "SELECT * FROM t WHERE id = ? OR 1=1");
    EXPECT_FALSE(refused.prepared());
    EXPECT_NE(refused.error().find("tautology"), std::string::npos) << refused.error();
    EXPECT_EQ(c->query("SELECT 'chain fine'").scalar(), "chain fine");
}

// MariaDB's extended type metadata crosses every hop: each offers it once the hop behind
// has (the first session after a start goes without, see docs/design-notes.md).
TEST_F(ChainTest, ExtendedTypeMetadataCrossesEveryHop) {
    Chain chain;
    auto setup = chain.connect();
    ASSERT_TRUE(setup);
    ASSERT_TRUE(setup->query("CREATE TABLE IF NOT EXISTS docs (doc JSON)").ok);
    EXPECT_TRUE(eventually("format=json through the chain", std::chrono::seconds(10), [&] {
        auto c = chain.connect();
        return c && c->first_column_format("SELECT doc FROM docs") == "json";
    })) << chain.gatekeeper_log();
    auto c = chain.connect();
    EXPECT_EQ(c->first_column_format("SELECT 1"), "");
    EXPECT_EQ(c->query("SELECT 'still in step'").scalar(), "still in step");
}

// With every database server down, a client of the gatekeeper learns which server failed,
// at login or at its first statement: each hop passes on what the hop behind it said, not
// "upstream ... unavailable".
TEST_F(ChainTest, ErrorsNameTheDatabaseServerOnEveryHop) {
    Chain chain;
    ASSERT_TRUE(chain.connect());  // the schema exists
    struct Restart {
        ~Restart() { TestCluster::get().ensure_up(); }
    } restart;
    for (const ClusterNode& n : TestCluster::get().nodes())
        TestCluster::get().kill_node(n.name);
    std::string error;
    EXPECT_TRUE(eventually("an error naming the database server", std::chrono::seconds(10), [&] {
        auto c = SqlClient::connect(chain.gatekeeper_client(), &error);
        if (c) error = c->query("SELECT 1").error;
        return error.find("'primary' (127.0.30.1:3306)") != std::string::npos;
    })) << error;
    EXPECT_EQ(error.find("upstream"), std::string::npos) << error;
}

TEST_F(ChainTest, GatekeeperRefusesClientsWithoutTls) {
    Chain chain;
    ConnectOptions plain = chain.gatekeeper_client();
    plain.tls = false;
    std::string error;
    EXPECT_FALSE(SqlClient::connect(plain, &error));
    EXPECT_NE(error.find("without TLS are refused"), std::string::npos) << error;
    // A client that insists on verifying the server gets the gatekeeper's real certificate.
    ConnectOptions verified = chain.gatekeeper_client();
    verified.verify_server_name = true;
    EXPECT_TRUE(SqlClient::connect(verified, &error)) << error;
    ASSERT_TRUE(chain.all_running());
}

TEST_F(ChainTest, StockMariadbClientWorksWithVerifiedTls) {
    Chain chain;
    std::ostringstream cmd;
    cmd << "mariadb --ssl --ssl-ca=" << chain.certs() << "/ca.crt --ssl-verify-server-cert -h "
        << kGatekeeperAddress << " -P " << chain.gatekeeper_port() << " -u " << kAppUser << " -p"
        << kAppPassword << " -N -B -e 'SELECT @@version_comment LIMIT 1; SELECT 40+2' "
        << kChainSchema << " 2>&1";
    std::string out;
    EXPECT_EQ(run_command(cmd.str(), &out), 0) << out;
    EXPECT_NE(out.find("42"), std::string::npos) << out;

    std::ostringstream plain;
    plain << "mariadb --skip-ssl -h " << kGatekeeperAddress << " -P " << chain.gatekeeper_port()
          << " -u " << kAppUser << " -p" << kAppPassword << " -e 'SELECT 1' 2>&1";
    EXPECT_NE(run_command(plain.str(), &out), 0);
    EXPECT_NE(out.find("TLS"), std::string::npos) << out;
}

struct PeerAttempt {
    const char* what;
    const char* bind;
    const char* cert;  // NAME in the good CA's folder, "rogue:NAME" from another CA, "" none
};

// Each hop is tried with no certificate, a certificate from another CA, one from the right
// CA naming another role, and the right certificate from the wrong address. All must fail
// before authentication, and the hop must keep serving its real peer.
void expect_refused(const Chain& chain, const std::string& address, unsigned port,
                    const std::string& right_cert, const std::string& right_source,
                    const std::string& rogue_certs, const std::string& role_log_name,
                    const std::string& password, const std::function<std::string()>& log) {
    const PeerAttempt attempts[] = {
        {"no certificate", right_source.c_str(), ""},
        {"certificate from another CA", right_source.c_str(), "rogue"},
        {"certificate of another role", right_source.c_str(), "intruder"},
        {"right certificate, wrong source address", kOutsiderAddress, right_cert.c_str()},
    };
    for (const PeerAttempt& a : attempts) {
        SCOPED_TRACE(std::string(role_log_name) + ": " + a.what);
        auto raw = RawMysqlConnection::open(address, port, a.bind);
        if (!raw) continue;  // closed at accept: the source check
        RawTls tls{.ca = chain.certs() + "/ca.crt"};
        const std::string cert = a.cert;
        if (cert == "rogue") {
            tls.certificate = rogue_certs + "/" + right_cert + ".crt";
            tls.private_key = rogue_certs + "/" + right_cert + ".key";
        } else if (!cert.empty()) {
            tls.certificate = chain.certs() + "/" + cert + ".crt";
            tls.private_key = chain.certs() + "/" + cert + ".key";
        }
        bool got_in = raw->start_tls(tls);
        std::string error;
        if (got_in) got_in = raw->login(kAppUser, password, &error);
        EXPECT_FALSE(got_in) << "logged in as app";
    }
    EXPECT_NE(log().find("peer_refused"), std::string::npos);
}

TEST_F(ChainTest, InternalHopsAcceptOnlyTheHopBeforeThem) {
    Chain chain;
    const std::string rogue = chain.config_dir() + "/rogue";
    std::string out;
    ASSERT_EQ(run_command(source_dir() + "/scripts/certs.sh --ca-name 'rogue CA' " + rogue +
                              " gatekeeper=" + kGatekeeperAddress +
                              " trusted-host=" + kTrustedHostAddress + " 2>&1",
                          &out),
              0)
        << out;
    ASSERT_EQ(run_command(source_dir() + "/scripts/certs.sh " + chain.certs() +
                              " intruder=" + kOutsiderAddress + " 2>&1",
                          &out),
              0)
        << out;
    expect_refused(chain, kTrustedHostAddress, chain.trusted_host_port(), "gatekeeper",
                   kGatekeeperAddress, rogue, "trusted host", "",
                   [&] { return chain.trusted_host_log(); });
    expect_refused(chain, kProxyAddress, chain.proxy_port(), "trusted-host", kTrustedHostAddress,
                   rogue, "proxy", kAppPassword, [&] { return chain.proxy_log(); });

    // The same attempts succeed with the right certificate from the right address, so the
    // refusals above are the peer checks, not a wrong password.
    auto to_proxy =
        RawMysqlConnection::open(kProxyAddress, chain.proxy_port(), kTrustedHostAddress);
    ASSERT_TRUE(to_proxy);
    ASSERT_TRUE(to_proxy->start_tls({.ca = chain.certs() + "/ca.crt",
                                     .certificate = chain.certs() + "/trusted-host.crt",
                                     .private_key = chain.certs() + "/trusted-host.key"}));
    std::string proxy_error;
    EXPECT_TRUE(to_proxy->login(kAppUser, kAppPassword, &proxy_error)) << proxy_error;

    // The right peer still gets in: the gatekeeper's certificate from its address.
    auto raw = RawMysqlConnection::open(kTrustedHostAddress, chain.trusted_host_port(),
                                        kGatekeeperAddress);
    ASSERT_TRUE(raw);
    ASSERT_TRUE(raw->start_tls({.ca = chain.certs() + "/ca.crt",
                                .certificate = chain.certs() + "/gatekeeper.crt",
                                .private_key = chain.certs() + "/gatekeeper.key"}));
    std::string error;
    EXPECT_TRUE(raw->login(kAppUser, "", &error)) << error << chain.trusted_host_log();
    auto c = chain.connect();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->query("SELECT 1").scalar(), "1");
}

TEST_F(ChainTest, AClientThatSendsNothingIsDroppedAfterTheHandshakeTimeout) {
    ChainScenario s;
    s.handshake_timeout_ms = 400;
    Chain chain(s);
    auto idle = RawMysqlConnection::open(kGatekeeperAddress, chain.gatekeeper_port());
    ASSERT_TRUE(idle);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(idle->closed_within(3000));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
    // The log line follows the close.
    EXPECT_TRUE(eventually(
        "the gatekeeper logs the handshake timeout", std::chrono::seconds(1),
        [&] { return chain.gatekeeper_log().find("handshake timeout") != std::string::npos; }))
        << chain.gatekeeper_log();
    auto c = chain.connect();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->query("SELECT 2").scalar(), "2");
}

TEST_F(ChainTest, IdleSessionsAreClosedAfterTheIdleTimeout) {
    ChainScenario s;
    s.idle_timeout_ms = 500;
    Chain chain(s);
    auto c = chain.connect();
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->query("SELECT 1").ok);
    // Watched through the log, not by querying: a statement would restart the idle clock.
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(eventually("the gatekeeper closes the idle session", std::chrono::seconds(3), [&] {
        return chain.gatekeeper_log().find("idle_timeout") != std::string::npos;
    })) << chain.gatekeeper_log();
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
    EXPECT_FALSE(c->query("SELECT 1").ok);
}

TEST_F(ChainTest, GatekeeperConfigAndEnvironmentHoldNoDatabasePassword) {
    Chain chain;
    const TestCluster& cluster = TestCluster::get();
    std::vector<std::string> secrets = {kAppPassword};
    for (const char* key : {"CLUSTER_PROXY_PASSWORD_FILE", "CLUSTER_MONITOR_PASSWORD_FILE"}) {
        std::ifstream in(cluster.value(key));
        std::string password;
        std::getline(in, password);
        ASSERT_FALSE(password.empty());
        secrets.push_back(password);
    }
    std::ifstream config(chain.config_dir() + "/gatekeeper.toml");
    std::stringstream text;
    text << config.rdbuf();
    ASSERT_NE(text.str().find("[upstream]"), std::string::npos);
    std::ifstream environ("/proc/" + std::to_string(chain.gatekeeper_pid()) + "/environ");
    std::stringstream env;
    env << environ.rdbuf();
    ASSERT_FALSE(env.str().empty());
    for (const std::string& secret : secrets) {
        EXPECT_EQ(text.str().find(secret), std::string::npos) << "a database password";
        EXPECT_EQ(env.str().find(secret), std::string::npos) << "a database password";
    }
}

}  // namespace
}  // namespace sqlgate::testing
