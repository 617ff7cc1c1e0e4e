// Connection multiplexing on a real cluster: clients take turns on one backend connection per
// server and never see each other's session state; each pin reason keeps a client's
// connection until what pinned it ends, and the metrics count it.
#include <gtest/gtest.h>
#include <mysql.h>

#include <map>
#include <set>

#include "harness/proxy_process.hpp"
#include "harness/sql_statement.hpp"
#include "obs/admin_client.hpp"

namespace sqlgate::testing {
namespace {

class Multiplexing : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }

    // One connection to each server at most; a statement that finds it busy waits 400 ms. One
    // event-loop thread: the clients share its pool (threads_test.cpp covers several).
    static ProxyScenario one_connection_each(const std::string& route, unsigned admin_port) {
        return {
            .default_route = route,
            .threads = 1,
            .extra_toml = admin_toml(admin_port),
            .backend_toml = "max_connections_per_server = 1\nconnection_wait_timeout_ms = 400\n"};
    }

    static double pins(unsigned admin_port, const std::string& reason) {
        const auto metrics = obs::call_admin(admin_of(admin_port), "GET", "/metrics");
        EXPECT_EQ(metrics.status, 200u);
        return metric_sample(metrics.body,
                             "sqlgate_proxy_session_pins_total{reason=\"" + reason + "\"}");
    }
};

struct Seen {
    std::string schema;
    std::string charset;
    std::string variable;
    std::string connection_id;
    std::string server_id;
};

Seen look(SqlClient& c) {
    const QueryResult r =
        c.query("SELECT DATABASE(), @@character_set_client, @v, CONNECTION_ID(), @@server_id");
    EXPECT_TRUE(r.ok) << r.error;
    if (!r.ok || r.rows.empty()) return {};
    const auto& row = r.rows[0];
    return {row[0].value_or("NULL"), row[1].value_or("NULL"), row[2].value_or("NULL"),
            row[3].value_or(""), row[4].value_or("")};
}

TEST_F(Multiplexing, ClientsTakingTurnsOnOneConnectionNeverSeeEachOthersState) {
    for (const std::string route : {"direct", "random"}) {
        SCOPED_TRACE(route);
        const unsigned admin = next_port();
        ProxyProcess proxy(one_connection_each(route, admin));
        proxy.wait_until_replicas_serve();
        auto setup = proxy.connect();
        ASSERT_TRUE(setup->query("CREATE DATABASE IF NOT EXISTS mx_a").ok);
        ASSERT_TRUE(setup->query("CREATE DATABASE IF NOT EXISTS mx_b").ok);
        setup.reset();
        auto a = proxy.connect();
        auto b = proxy.connect();
        auto none = proxy.connect();  // chooses no schema, sets nothing
        for (const char* s : {"USE mx_a", "SET NAMES latin1", "SET @v = 'from a'"})
            ASSERT_TRUE(a->query(s).ok) << s;
        for (const char* s : {"USE mx_b", "SET NAMES utf8mb4", "SET @v = 'from b'"})
            ASSERT_TRUE(b->query(s).ok) << s;
        // server_id -> the connection ids seen there, and by how many clients.
        std::map<std::string, std::set<std::string>> connections;
        std::map<std::string, std::set<char>> clients;
        for (int round = 0; round < 12; ++round) {
            const Seen from_a = look(*a);
            EXPECT_EQ(from_a.schema, "mx_a");
            EXPECT_EQ(from_a.charset, "latin1");
            EXPECT_EQ(from_a.variable, "from a");
            const Seen from_b = look(*b);
            EXPECT_EQ(from_b.schema, "mx_b");
            EXPECT_EQ(from_b.charset, "utf8mb4");
            EXPECT_EQ(from_b.variable, "from b");
            const Seen from_none = look(*none);
            EXPECT_EQ(from_none.schema, "NULL");
            EXPECT_EQ(from_none.variable, "NULL");
            for (const auto& [who, seen] :
                 {std::pair{'a', from_a}, std::pair{'b', from_b}, std::pair{'n', from_none}}) {
                connections[seen.server_id].insert(seen.connection_id);
                clients[seen.server_id].insert(who);
            }
        }
        // The shared connection was really shared: a server that served both a and b did it
        // on one connection at a time (a client without a schema needs a fresh one).
        bool shared = false;
        for (const auto& [server, who] : clients) {
            if (who.contains('a') && who.contains('b')) shared = true;
        }
        EXPECT_TRUE(shared);
        const auto metrics = obs::call_admin(admin_of(admin), "GET", "/metrics");
        for (const auto& node : TestCluster::get().nodes()) {
            EXPECT_LE(metric_sample(metrics.body, "sqlgate_proxy_backend_connections{server=\"" +
                                                      node.name + "\"}"),
                      1)
                << metrics.body;
        }
        if (route == "direct") {
            EXPECT_EQ(clients.size(), 1u);                      // the primary only
            EXPECT_GE(connections.begin()->second.size(), 2u);  // reopened for `none`
        }
    }
}

// Each pin reason: while it holds, a second client finds the only connection busy; once it
// ends, the second client runs.
struct PinCase {
    const char* reason;
    std::vector<std::string> pin;    // the statements that pin
    std::vector<std::string> unpin;  // the statements that end it ("" : the client resets)
};

const PinCase kPinCases[] = {
    {"transaction", {"BEGIN", "SELECT 1"}, {"COMMIT"}},
    {"transaction", {"SET autocommit = 0"}, {"SET autocommit = 1"}},
    {"table_lock", {"LOCK TABLES mx_pin.t READ"}, {"UNLOCK TABLES", ""}},
    {"temporary_table", {"CREATE TEMPORARY TABLE mx_pin.tmp (a INT)"}, {""}},
    {"sql_prepare", {"PREPARE s FROM 'SELECT 1'"}, {""}},
    {"primary_function", {"SELECT GET_LOCK('mx_pin', 1)"}, {"DO RELEASE_LOCK('mx_pin')", ""}},
    {"found_rows", {"SELECT SQL_CALC_FOUND_ROWS a FROM mx_pin.t LIMIT 1"}, {""}},
    {"write", {"INSERT INTO mx_pin.t VALUES (2)"}, {""}},
    {"user_variables", {"SET @w = UUID()"}, {""}},
    {"write", {"SELECT @w := 5"}, {""}},
    {"session_variables", {"SET @l = GET_LOCK('mx_pin', 1), time_zone = '+00:00'"}, {""}},
    {"session_tracking", {"SET SESSION session_track_system_variables = 'autocommit'"}, {""}},
    {"diagnostics", {"SELECT CAST('x' AS INT)"}, {"SELECT 1"}},
};

TEST_F(Multiplexing, EveryPinReasonPinsAndUnpins) {
    const unsigned admin = next_port();
    ProxyProcess proxy(one_connection_each("direct", admin));
    {
        auto setup = proxy.connect();
        ASSERT_TRUE(setup->query("CREATE DATABASE IF NOT EXISTS mx_pin").ok);
        ASSERT_TRUE(setup->query("CREATE TABLE IF NOT EXISTS mx_pin.t (a INT)").ok);
    }
    for (const PinCase& c : kPinCases) {
        SCOPED_TRACE(std::string(c.reason) + ": " + c.pin.front());
        auto pinned = proxy.connect();
        auto other = proxy.connect();
        ASSERT_TRUE(other->query("SELECT 1").ok);  // logged in, connection given back
        const double before = pins(admin, c.reason);
        for (const std::string& s : c.pin) {
            const QueryResult r = pinned->query(s);
            EXPECT_TRUE(r.ok || std::string(c.reason) == "diagnostics") << s << ": " << r.error;
        }
        EXPECT_EQ(pins(admin, c.reason), before + 1);
        const QueryResult waited = other->query("SELECT 2");
        EXPECT_FALSE(waited.ok);
        EXPECT_NE(waited.error.find("busy"), std::string::npos) << waited.error;
        for (const std::string& s : c.unpin) {
            if (s.empty()) {
                ASSERT_EQ(mysql_reset_connection(pinned->handle()), 0)
                    << mysql_error(pinned->handle());
            } else {
                ASSERT_TRUE(pinned->query(s).ok) << s;
            }
        }
        // Only the last unpin statement must free it: those before it keep it pinned.
        const QueryResult ran = other->query("SELECT 3");
        EXPECT_TRUE(ran.ok) << ran.error << "\n" << proxy.log();
    }
}

TEST_F(Multiplexing, ACursorAndLongDataPinUntilTheirStatementEndsThem) {
    const unsigned admin = next_port();
    ProxyProcess proxy(one_connection_each("direct", admin));
    // (A write pins its client until it closes: this one closes at once.)
    ASSERT_TRUE(proxy.connect()->query("CREATE DATABASE IF NOT EXISTS mx_pin").ok);
    auto pinned = proxy.connect();
    auto other = proxy.connect();
    ASSERT_TRUE(other->query("SELECT 1").ok);
    {
        const double before = pins(admin, "cursor");
        SqlStatement s(*pinned, "SELECT seq FROM mx_pin.seq_1_to_10");
        ASSERT_TRUE(s.prepared()) << s.error();
        ASSERT_TRUE(s.use_cursor(3));
        const auto rows = s.run();
        ASSERT_TRUE(rows) << s.error();
        EXPECT_EQ(rows->size(), 10u);
        EXPECT_EQ(pins(admin, "cursor"), before + 1);
        EXPECT_FALSE(other->query("SELECT 2").ok);
        ASSERT_EQ(mysql_stmt_reset(s.handle()), 0) << s.error();
        EXPECT_TRUE(other->query("SELECT 3").ok);
    }
    {
        const double before = pins(admin, "long_data");
        SqlStatement s(*pinned, "SELECT LENGTH(?)");
        ASSERT_TRUE(s.prepared()) << s.error();
        ASSERT_TRUE(s.bind_strings({""}));
        const std::string chunk(100, 'q');
        ASSERT_EQ(mysql_stmt_send_long_data(s.handle(), 0, chunk.data(), chunk.size()), 0);
        ASSERT_EQ(mysql_stmt_send_long_data(s.handle(), 0, chunk.data(), chunk.size()), 0);
        EXPECT_FALSE(other->query("SELECT 4").ok);
        EXPECT_EQ(pins(admin, "long_data"), before + 1);
        const auto rows = s.run();
        ASSERT_TRUE(rows) << s.error();
        EXPECT_EQ(rows->at(0).at(0), "200");
        EXPECT_TRUE(other->query("SELECT 5").ok);
    }
}

TEST_F(Multiplexing, AClosedClientGivesItsPinnedConnectionBackToTheServer) {
    const unsigned admin = next_port();
    ProxyProcess proxy(one_connection_each("direct", admin));
    auto other = proxy.connect();
    {
        auto pinned = proxy.connect();
        ASSERT_TRUE(pinned->query("BEGIN").ok);
        ASSERT_TRUE(pinned->query("SELECT 1").ok);
        EXPECT_FALSE(other->query("SELECT 2").ok);
    }
    // The pinned connection was closed with its client (its transaction rolled back there):
    // the other client gets a new one.
    const QueryResult ran = other->query("SELECT 3");
    EXPECT_TRUE(ran.ok) << ran.error;
}

}  // namespace
}  // namespace sqlgate::testing
