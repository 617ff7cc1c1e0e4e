// Faults: slow, dead and stopped replicas, bad hints, bad packets, bad credentials. In each
// case the client gets an answer or a clear error, and the proxy keeps serving.
#include <gtest/gtest.h>
#include <mysql.h>

#include <boost/asio.hpp>
#include <map>

#include "eventually.hpp"
#include "harness/delay_relay.hpp"
#include "harness/proxy_process.hpp"
#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "mysql/packet.hpp"

namespace sqlgate::testing {
namespace {

class Faults : public ::testing::Test {
  protected:
    // In SetUp, not SetUpTestSuite: gtest reports a failed suite set-up as skipped tests.
    void SetUp() override { TestCluster::get(); }
    void TearDown() override { TestCluster::get().ensure_up(); }  // restart what a test killed
    int primary_id() const { return TestCluster::get().primary().server_id; }
};

TEST_F(Faults, CustomizedAvoidsASlowReplicaWhileRandomStillReachesIt) {
    const TestCluster& cluster = TestCluster::get();
    const ClusterNode& slow = cluster.nodes().at(2);
    // The relay listens on an address of its own and connects from the proxy's client range,
    // so the replica's grants still match.
    DelayRelay relay("127.0.30.102", 3306, slow.host, slow.port, "127.0.31.2",
                     std::chrono::milliseconds(20));
    ProxyScenario scenario;
    for (const ClusterNode& n : cluster.nodes()) {
        const bool is_slow = n.name == slow.name;
        scenario.servers.push_back(
            {n.name, is_slow ? "127.0.30.102" : n.host, n.port, n.name == "primary"});
    }
    ProxyProcess proxy(scenario);
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    // Customized knows the replica is slow once the monitor's pings have measured it, which
    // shows as its reads keeping off that replica. The 100 reads below check that they go on
    // keeping off it, and that random (which ignores the scores) still reaches it.
    int streak = 0;
    EXPECT_TRUE(eventually(
        "10 customized reads in a row off the slow replica", std::chrono::seconds(5),
        [&] {
            streak =
                c->server_id("/* sqlgate:route=customized */ ") == slow.server_id ? 0 : streak + 1;
            return streak >= 10;
        }))
        << proxy.log();
    std::map<int, int> customized;
    std::map<int, int> random;
    for (int i = 0; i < 100; ++i)
        ++customized[c->server_id("/* sqlgate:route=customized */ ")];
    for (int i = 0; i < 100; ++i)
        ++random[c->server_id("/* sqlgate:route=random */ ")];
    EXPECT_EQ(customized.count(0), 0u) << "errors";
    EXPECT_EQ(customized.count(primary_id()), 0u);
    EXPECT_LE(customized[slow.server_id], 10) << "customized sent reads to the slow replica";
    EXPECT_GE(random[slow.server_id], 1) << "random never reached the slow replica\n"
                                         << proxy.log();
    EXPECT_EQ(random.count(0), 0u) << "errors";
}

TEST_F(Faults, KilledReplicaGetsNoReadsAndReadsKeepSucceeding) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    // Open connections to every replica first, so the kill breaks a live one.
    for (int i = 0; i < 12; ++i)
        c->server_id("/* sqlgate:route=random */ ");
    const ClusterNode& victim = TestCluster::get().nodes().back();
    TestCluster::get().kill_node(victim.name);
    // Reads right after the kill succeed (a failed replica is retried elsewhere) ...
    for (int i = 0; i < 20; ++i) {
        const int id = c->server_id("/* sqlgate:route=random */ ");
        EXPECT_NE(id, 0) << "read failed after the kill";
        EXPECT_NE(id, victim.server_id);
    }
    // ... and once the proxy has marked it down, no read goes there, from new sessions either.
    // A session that meets the dead replica marks it down at once (backend_unreachable), else
    // the monitor does after its failure threshold (backend_down).
    const auto marked_down = [&] {
        const std::string log = proxy.log();
        return log.find("event=backend_unreachable server=" + victim.name) != std::string::npos ||
               log.find("event=backend_down server=" + victim.name) != std::string::npos;
    };
    ASSERT_TRUE(eventually("the proxy marks " + victim.name + " down", std::chrono::seconds(5),
                           marked_down))
        << proxy.log();
    auto fresh = proxy.connect();
    for (int i = 0; i < 30; ++i) {
        const int id = fresh->server_id("/* sqlgate:route=customized */ ");
        EXPECT_NE(id, 0);
        EXPECT_NE(id, victim.server_id);
        EXPECT_NE(fresh->server_id("/* sqlgate:route=random */ "), victim.server_id);
    }
    EXPECT_NE(proxy.log().find("backend"), std::string::npos);
}

TEST_F(Faults, ReplicaWithStoppedReplicationGetsNoReadsUntilRestarted) {
    const TestCluster& cluster = TestCluster::get();
    const ClusterNode& stopped = cluster.nodes().at(1);
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    cluster.admin_sql(stopped, "STOP SLAVE");
    ASSERT_TRUE(eventually(
        "the monitor reports replication stopped on " + stopped.name, std::chrono::seconds(5),
        [&] {
            return proxy.log().find("event=replication_stopped server=" + stopped.name) !=
                   std::string::npos;
        }))
        << proxy.log();
    auto c = proxy.connect();
    for (int i = 0; i < 30; ++i)
        EXPECT_NE(c->server_id("/* sqlgate:route=random */ "), stopped.server_id);
    cluster.admin_sql(stopped, "START SLAVE");
    EXPECT_TRUE(eventually(
        "a random read served by " + stopped.name + " again", std::chrono::seconds(5),
        [&] { return c->server_id("/* sqlgate:route=random */ ") == stopped.server_id; }))
        << "the replica never came back into rotation; proxy log:\n"
        << proxy.log();
}

// Reads never depend on the primary: with it dead, sessions that were open keep reading
// (their state replayed on replicas), new clients log in (their schema checked on a
// replica), session state goes on, and writes get at once an error naming the primary.
TEST_F(Faults, ReadsLoginsAndStateOutliveThePrimary) {
    const TestCluster& cluster = TestCluster::get();
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    cluster.admin_sql(cluster.primary(), "CREATE DATABASE IF NOT EXISTS itest");
    auto before = proxy.connect();  // it never writes: its variables may be read on replicas
    ASSERT_TRUE(before->query("USE itest").ok);
    ASSERT_TRUE(before->query("SET @before = 'kept'").ok);
    cluster.wait_for_replication();
    TestCluster::get().kill_node("primary");
    // Within failure_threshold pings the monitor knows; until then a write may take a connect
    // attempt (refused at once here), never longer than connect_timeout_ms.
    EXPECT_TRUE(eventually("writes refused as 'primary is down'", std::chrono::seconds(5), [&] {
        const auto w = before->query("CREATE TABLE IF NOT EXISTS itest.after_kill (a INT)");
        return !w.ok && w.error.find("primary 'primary'") != std::string::npos &&
               w.error.find("is down") != std::string::npos;
    })) << proxy.log();
    // 1290, not the 1105 of a failed connect: refused from what the monitor knows, at once.
    const auto write = before->query("INSERT INTO itest.after_kill VALUES (1)");
    EXPECT_FALSE(write.ok);
    EXPECT_EQ(write.error_code, 1290u) << write.error;
    for (int i = 0; i < 5; ++i) {
        const auto r = before->query("SELECT DATABASE(), @before, @@server_id");
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.rows[0][0], "itest");
        EXPECT_EQ(r.rows[0][1], "kept");
        EXPECT_NE(r.rows[0][2], std::to_string(primary_id()));
    }
    // A new client, with an initial schema, and state set while the primary is down.
    ConnectOptions options = proxy.client_options();
    options.database = "itest";
    std::string error;
    auto after = SqlClient::connect(options, &error);
    ASSERT_TRUE(after) << error << "\n" << proxy.log();
    ASSERT_TRUE(after->query("SET NAMES latin1").ok);
    const auto r = after->query("SELECT DATABASE(), @@character_set_client");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows[0][0], "itest");
    EXPECT_EQ(r.rows[0][1], "latin1");
}

TEST_F(Faults, NoHealthyReplicaMeansReadsGoToThePrimary) {
    const TestCluster& cluster = TestCluster::get();
    ProxyScenario scenario;
    scenario.servers.push_back({"primary", cluster.primary().host, cluster.primary().port, true});
    scenario.servers.push_back({"ghost", "127.0.30.250", 3306, false});  // nothing listens there
    ProxyProcess proxy(scenario);
    auto c = proxy.connect();
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(c->server_id("/* sqlgate:route=random */ "), primary_id());
}

TEST_F(Faults, UnknownRouteHintIsAClearErrorAndTheSessionStaysUsable) {
    ProxyProcess proxy({});
    auto c = proxy.connect();
    const auto r = c->query("/* sqlgate:route=fastest */ SELECT 1");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("unknown route 'fastest'"), std::string::npos) << r.error;
    EXPECT_EQ(c->query("SELECT 41 + 1").scalar(), "42");
}

TEST_F(Faults, WrongPasswordAndUnknownUserAreRefused) {
    ProxyProcess proxy({});
    for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
             {kAppUser, "wrong"}, {"nobody", kAppPassword}, {kAppUser, ""}}) {
        ConnectOptions o = proxy.client_options();
        o.user = user;
        o.password = password;
        std::string error;
        EXPECT_FALSE(SqlClient::connect(o, &error));
        EXPECT_NE(error.find("1045"), std::string::npos) << error;
    }
    EXPECT_TRUE(proxy.connect());
}

TEST_F(Faults, UnknownDatabaseAtConnectIsRefused) {
    ProxyProcess proxy({});
    ConnectOptions o = proxy.client_options();
    o.database = "no_such_db";
    std::string error;
    EXPECT_FALSE(SqlClient::connect(o, &error));
    EXPECT_NE(error.find("1049"), std::string::npos) << error;
}

// A raw client: speaks just enough protocol to log in, then sends whatever a test wants.
class RawClient {
  public:
    explicit RawClient(unsigned port) : socket_(io_) {
        socket_.connect(
            {boost::asio::ip::make_address(kProxyAddress), static_cast<unsigned short>(port)});
    }
    mysql::Bytes read_packet() {
        std::array<std::uint8_t, 4> header{};
        boost::asio::read(socket_, boost::asio::buffer(header));
        mysql::Bytes payload(mysql::decode_header(header.data()).length);
        boost::asio::read(socket_, boost::asio::buffer(payload));
        return payload;
    }
    void write_raw(const mysql::Bytes& bytes) {
        boost::asio::write(socket_, boost::asio::buffer(bytes));
    }
    void write_packet(const mysql::Bytes& payload, std::uint8_t seq) {
        mysql::Bytes framed;
        mysql::append_framed(framed, payload, seq);
        write_raw(framed);
    }
    void login() {
        const auto greeting = mysql::parse_greeting(read_packet());
        ASSERT_TRUE(greeting);
        const std::string token = mysql::native_password_token(kAppPassword, greeting->auth_data);
        mysql::Bytes response;
        mysql::serialize_handshake_response(
            response,
            {.capabilities = mysql::kRequiredClientCapabilities | mysql::Capability::plugin_auth,
             .user = kAppUser,
             .auth_response = token,
             .auth_plugin = mysql::kNativePasswordPlugin});
        write_packet(response, 1);
        ASSERT_EQ(read_packet().at(0), mysql::kOkHeader);
    }
    // True when the proxy closed the connection (possibly after an error packet).
    bool closed_by_peer() {
        boost::system::error_code ec;
        std::array<std::uint8_t, 4096> buf{};
        for (int i = 0; i < 100; ++i) {
            socket_.read_some(boost::asio::buffer(buf), ec);
            if (ec)
                return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
        }
        return false;
    }

  private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
};

TEST_F(Faults, MalformedPacketsCloseOnlyTheirOwnConnection) {
    ProxyProcess proxy({});
    auto bystander = proxy.connect();
    ASSERT_TRUE(bystander->query("SELECT 1").ok);
    {
        RawClient raw(proxy.port());  // garbage instead of a handshake response
        raw.read_packet();
        raw.write_packet({0x01, 0x02, 0x03}, 1);
        EXPECT_TRUE(raw.closed_by_peer());
    }
    {
        RawClient raw(proxy.port());  // a command with a wrong sequence id
        raw.login();
        raw.write_packet({0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'}, 5);
        EXPECT_TRUE(raw.closed_by_peer());
    }
    {
        RawClient raw(proxy.port());  // a header promising more than is ever sent, then gone
        raw.login();
        raw.write_raw({0xff, 0xff, 0x00, 0x00, 0x03, 'S'});
    }
    {
        RawClient raw(proxy.port());  // an empty command packet gets an error, not a crash
        raw.login();
        raw.write_packet({}, 0);
        const auto reply = raw.read_packet();
        ASSERT_FALSE(reply.empty());
        EXPECT_EQ(reply[0], mysql::kErrHeader);
        raw.write_packet({0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '7'}, 0);
        EXPECT_NE(raw.read_packet().at(0), mysql::kErrHeader);
    }
    EXPECT_TRUE(proxy.running());
    EXPECT_EQ(bystander->query("SELECT 2").scalar(), "2");
    EXPECT_TRUE(proxy.connect());
}

TEST_F(Faults, UnsupportedCommandsGetAClearErrorAndTheSessionStaysUsable) {
    ProxyProcess proxy({});
    RawClient raw(proxy.port());
    raw.login();
    raw.write_packet({0x12, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 0);  // COM_BINLOG_DUMP
    const auto dump = raw.read_packet();
    ASSERT_EQ(dump.at(0), mysql::kErrHeader);
    EXPECT_NE(std::string(dump.begin(), dump.end()).find("COM_BINLOG_DUMP"), std::string::npos);
    // A fetch from a statement that does not exist: the primary's error, and the session goes on.
    raw.write_packet({0x1c, 1, 0, 0, 0, 1, 0, 0, 0}, 0);  // COM_STMT_FETCH
    EXPECT_EQ(raw.read_packet().at(0), mysql::kErrHeader);
    raw.write_packet({0x77, 1, 2}, 0);  // no such command
    EXPECT_EQ(raw.read_packet().at(0), mysql::kErrHeader);
    raw.write_packet({0x0e}, 0);  // COM_PING still answered
    EXPECT_EQ(raw.read_packet().at(0), mysql::kOkHeader);
    auto c = proxy.connect();
    EXPECT_EQ(c->query("SELECT 5").scalar(), "5");
}

TEST_F(Faults, OversizedStatementIsRefusedAndTheSessionStaysUsable) {
    ProxyProcess proxy({.max_statement_bytes = 4096});
    auto c = proxy.connect();
    const auto r = c->query("SELECT '" + std::string(10000, 'x') + "'");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("max_statement_bytes"), std::string::npos) << r.error;
    EXPECT_EQ(c->query("SELECT 3").scalar(), "3");
}

}  // namespace
}  // namespace sqlgate::testing
