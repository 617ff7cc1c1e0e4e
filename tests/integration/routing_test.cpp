// Where statements go: checked by which server answers (@@server_id), on a real cluster.
#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "harness/delay_relay.hpp"
#include "harness/proxy_process.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;

class Routing : public ::testing::Test {
  protected:
    // In SetUp, not SetUpTestSuite: gtest reports a failed suite set-up as skipped tests.
    void SetUp() override { TestCluster::get(); }
    int primary_id() const { return TestCluster::get().primary().server_id; }
};

TEST_F(Routing, DirectReadsAllServedByThePrimary) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(c->server_id("/* sqlgate:route=direct */ "), primary_id());
    }
}

TEST_F(Routing, RandomReadsOnlyReplicasAndSeveralOfThem) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    std::set<int> seen;
    for (int i = 0; i < 20; ++i) {
        const int id = c->server_id("/* sqlgate:route=random */ ");
        EXPECT_NE(id, primary_id());
        EXPECT_NE(id, 0);
        seen.insert(id);
    }
    EXPECT_GE(seen.size(), 2u);
}

TEST_F(Routing, CustomizedReadsOnlyReplicas) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    for (int i = 0; i < 20; ++i) {
        const int id = c->server_id("/* sqlgate:route=customized */ ");
        EXPECT_NE(id, primary_id());
        EXPECT_NE(id, 0);
    }
}

TEST_F(Routing, UserDefaultAndListenerDefaultApplyWithoutHint) {
    {
        ProxyProcess proxy({.default_route = "direct"});
        auto c = proxy.connect();
        EXPECT_EQ(c->server_id(), primary_id());
    }
    {
        ProxyProcess proxy({.default_route = "direct", .user_default_route = "random"});
        proxy.wait_until_replicas_serve();
        auto c = proxy.connect();
        EXPECT_NE(c->server_id(), primary_id());
    }
}

TEST_F(Routing, ExplicitTransactionRunsEntirelyOnThePrimary) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(c->query("CREATE TABLE IF NOT EXISTS itest.tx (id INT PRIMARY KEY, v INT)").ok);
    ASSERT_TRUE(c->query("REPLACE INTO itest.tx VALUES (1, 0)").ok);
    ASSERT_TRUE(c->query("BEGIN").ok);
    EXPECT_EQ(c->server_id("/* sqlgate:route=random */ "), primary_id());
    auto r = c->query("SELECT v, @@server_id FROM itest.tx WHERE id = 1");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows[0][1], std::to_string(primary_id()));
    ASSERT_TRUE(c->query("UPDATE itest.tx SET v = v + 1 WHERE id = 1").ok);
    EXPECT_EQ(c->server_id(), primary_id());
    ASSERT_TRUE(c->query("COMMIT").ok);
    // After the commit reads leave the primary again.
    EXPECT_NE(c->server_id("/* sqlgate:route=random */ "), primary_id());
}

TEST_F(Routing, AutocommitOffKeepsReadsOnThePrimary) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("SET autocommit = 0").ok);
    EXPECT_EQ(c->server_id("/* sqlgate:route=random */ "), primary_id());
    ASSERT_TRUE(c->query("SET autocommit = 1").ok);
    EXPECT_NE(c->server_id("/* sqlgate:route=random */ "), primary_id());
}

TEST_F(Routing, LockingReadsAndPrimaryFunctionsGoToThePrimary) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(c->query("CREATE TABLE IF NOT EXISTS itest.lr (id INT PRIMARY KEY)").ok);
    const std::string primary = std::to_string(primary_id());
    for (const std::string sql :
         {"SELECT @@server_id FROM itest.lr FOR UPDATE", "SELECT @@server_id, LAST_INSERT_ID()",
          "SELECT @@server_id FROM itest.lr LOCK IN SHARE MODE",
          "/* sqlgate:route=random */ SELECT @@server_id, GET_LOCK('x', 0), RELEASE_LOCK('x')"}) {
        const auto r = c->query(sql);
        ASSERT_TRUE(r.ok) << sql << ": " << r.error;
        if (!r.rows.empty()) {
            EXPECT_EQ(r.rows[0][0], primary) << sql;
        }
    }
    // An empty locking read returns no row; its routing shows in the primary's own answer.
    EXPECT_TRUE(c->query("INSERT INTO itest.lr VALUES (1) ON DUPLICATE KEY UPDATE id = id").ok);
    const auto r = c->query("SELECT @@server_id FROM itest.lr WHERE id = 1 FOR UPDATE");
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(r.rows[0][0], primary);
}

TEST_F(Routing, UseSchemaIsReplayedOnReplicas) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS other_db").ok);
    ASSERT_TRUE(c->query("CREATE TABLE IF NOT EXISTS other_db.marker (v VARCHAR(20))").ok);
    ASSERT_TRUE(c->query("DELETE FROM other_db.marker").ok);
    ASSERT_TRUE(c->query("INSERT INTO other_db.marker VALUES ('in other_db')").ok);
    TestCluster::get().wait_for_replication();
    ASSERT_TRUE(c->query("USE other_db").ok);
    for (int i = 0; i < 6; ++i) {
        const auto r = c->query("/* sqlgate:route=random */ SELECT v, @@server_id FROM marker");
        ASSERT_TRUE(r.ok) << r.error;
        ASSERT_EQ(r.rows.size(), 1u);
        EXPECT_EQ(r.rows[0][0], "in other_db");
        EXPECT_NE(r.rows[0][1], std::to_string(primary_id()));
    }
    // COM_INIT_DB (mysql_select_db) is replayed the same way.
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_EQ(mysql_select_db(c->handle(), "itest"), 0);
    const auto r = c->query("/* sqlgate:route=random */ SELECT DATABASE(), @@server_id");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.rows[0][0], "itest");
    EXPECT_NE(r.rows[0][1], std::to_string(primary_id()));
}

TEST_F(Routing, SessionVariablesAreReplayedOnReplicas) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("SET NAMES latin1").ok);
    ASSERT_TRUE(c->query("SET @marker = 'seen'").ok);
    ASSERT_TRUE(c->query("SET SESSION sql_mode = 'ANSI_QUOTES'").ok);
    std::set<std::string> servers;
    for (int i = 0; i < 10; ++i) {
        const auto r = c->query(
            "/* sqlgate:route=random */ SELECT @@character_set_client, @marker, @@sql_mode, "
            "@@server_id");
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.rows[0][0], "latin1");
        EXPECT_EQ(r.rows[0][1], "seen");
        EXPECT_EQ(r.rows[0][2], "ANSI_QUOTES");
        servers.insert(*r.rows[0][3]);
    }
    EXPECT_EQ(servers.count(std::to_string(primary_id())), 0u);
}

TEST_F(Routing, SessionStateRunsOnceOnEachServer) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("SET @n = 0").ok);
    ASSERT_TRUE(c->query("SET @n = @n + 1").ok);
    EXPECT_EQ(c->query("/* sqlgate:route=direct */ SELECT @n").scalar(), "1");
    EXPECT_EQ(c->query("/* sqlgate:route=direct */ SELECT @n").scalar(), "1");
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(c->query("/* sqlgate:route=random */ SELECT @n").scalar(), "1");
    }
}

TEST_F(Routing, SetOptionIsReplayedOnReplicas) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_EQ(mysql_set_server_option(c->handle(), MYSQL_OPTION_MULTI_STATEMENTS_ON), 0)
        << mysql_error(c->handle());
    const auto r = c->query("SELECT 1; /* sqlgate:route=random */ SELECT 2");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.scalar(), "2");
    for (int i = 0; i < 6; ++i) {
        EXPECT_NE(c->server_id("/* sqlgate:route=random */ "), 0);
    }
}

TEST_F(Routing, NodeHintReachesThatServer) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    for (const ClusterNode& n : TestCluster::get().nodes()) {
        EXPECT_EQ(c->server_id("/* sqlgate:route=node:" + n.name + " */ "), n.server_id) << n.name;
    }
    const auto r = c->query("/* sqlgate:route=node:nosuch */ SELECT 1");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("no server named 'nosuch'"), std::string::npos) << r.error;
    EXPECT_EQ(c->query("SELECT 1").scalar(), "1");
}

TEST_F(Routing, WritesReachEveryReplicaThroughReplication) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(
        c->query("CREATE TABLE IF NOT EXISTS itest.w (id INT AUTO_INCREMENT PRIMARY KEY)").ok);
    const auto before =
        c->query("/* sqlgate:route=direct */ SELECT COUNT(*) FROM itest.w").scalar();
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(c->query("INSERT INTO itest.w VALUES ()").ok);
    TestCluster::get().wait_for_replication();
    const std::string expected = std::to_string(std::stoi(before) + 10);
    for (const ClusterNode& n : TestCluster::get().nodes()) {
        EXPECT_EQ(c->query("/* sqlgate:route=node:" + n.name + " */ SELECT COUNT(*) FROM itest.w")
                      .scalar(),
                  expected)
            << n.name;
    }
}

TEST_F(Routing, WarningsAreReadWhereThePreviousStatementRan) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    for (const std::string hint : {"direct", "random", "customized"}) {
        const auto r = c->query("/* sqlgate:route=" + hint + " */ SELECT CAST('abc' AS SIGNED)");
        ASSERT_TRUE(r.ok) << r.error;
        const auto w = c->query("SHOW WARNINGS");
        ASSERT_TRUE(w.ok) << w.error;
        ASSERT_EQ(w.rows.size(), 1u) << hint;
        EXPECT_EQ(w.rows[0][1], "1292") << hint;
        EXPECT_EQ(c->query("SELECT @@warning_count").scalar(), "1") << hint;
    }
}

TEST_F(Routing, TemporaryTablesPinTheSessionToThePrimary) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(c->query("CREATE TEMPORARY TABLE itest.scratch (a INT)").ok);
    ASSERT_TRUE(c->query("INSERT INTO itest.scratch VALUES (7)").ok);
    const auto r = c->query("/* sqlgate:route=random */ SELECT a, @@server_id FROM itest.scratch");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows[0][0], "7");
    EXPECT_EQ(r.rows[0][1], std::to_string(primary_id()));
    auto other = proxy.connect();  // other sessions are not pinned
    EXPECT_NE(other->server_id("/* sqlgate:route=random */ "), primary_id());
}

// Replicas that apply every transaction late: a read right after a write would miss it,
// unless the proxy waits for the replica to apply the session's last write. MASTER_DELAY
// counts whole seconds from the event's timestamp, so 2 means at least one second late.
class DelayedReplication : public Routing {
  protected:
    void SetUp() override {
        // The table exists everywhere before replication slows down.
        const TestCluster& cluster = TestCluster::get();
        cluster.admin_sql(cluster.primary(),
                          "CREATE DATABASE IF NOT EXISTS itest; "
                          "CREATE TABLE IF NOT EXISTS itest.ryw (v INT); "
                          "CREATE TABLE IF NOT EXISTS itest.plain (v INT PRIMARY KEY) "
                          "ENGINE = MyISAM");
        cluster.wait_for_replication();
        set_delay(2);
    }
    void TearDown() override { set_delay(0); }
    static void set_delay(int seconds) {
        const TestCluster& cluster = TestCluster::get();
        for (std::size_t k = 1; k < cluster.nodes().size(); ++k) {
            cluster.admin_sql(cluster.nodes()[k], "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = " +
                                                      std::to_string(seconds) + "; START SLAVE");
        }
        if (seconds == 0) cluster.wait_for_replication();
    }
    // Inserts a fresh value and reads it back at once through a replica; returns whether the
    // read saw it and which server answered.
    static std::pair<bool, int> write_then_read(SqlClient& c, int value) {
        EXPECT_TRUE(c.query("INSERT INTO itest.ryw VALUES (" + std::to_string(value) + ")").ok);
        const auto r = c.query(
            "/* sqlgate:route=random */ SELECT COUNT(*), @@server_id FROM itest.ryw WHERE v = " +
            std::to_string(value));
        EXPECT_TRUE(r.ok) << r.error;
        if (!r.ok) return {false, 0};
        return {r.rows[0][0] == "1", std::stoi(*r.rows[0][1])};
    }
};

TEST_F(DelayedReplication, ReadsSeeTheSessionsOwnWritesOnReplicas) {
    ProxyProcess proxy({.extra_toml = "\n[routing]\nread_your_writes_timeout_ms = 5000\n"});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    for (int i = 0; i < 2; ++i) {
        const auto [seen, server] =
            write_then_read(*c, 1000 + i + static_cast<int>(::getpid()) * 10);
        EXPECT_TRUE(seen) << "the read missed the session's own write";
        EXPECT_NE(server, primary_id()) << "the read should have waited on a replica";
    }
}

TEST_F(DelayedReplication, ReplicaStillBehindAfterTheTimeoutIsSkipped) {
    ProxyProcess proxy({.extra_toml = "\n[routing]\nread_your_writes_timeout_ms = 100\n"});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    const auto [seen, server] = write_then_read(*c, 5000 + static_cast<int>(::getpid()) * 10);
    EXPECT_TRUE(seen);
    EXPECT_EQ(server, primary_id()) << "every replica is a second behind: the primary answers";
}

// The character set of results changes how values read back; the GTID must not depend on it.
TEST_F(DelayedReplication, ReadYourWritesHoldsWhateverTheResultCharacterSet) {
    ProxyProcess proxy({.extra_toml = "\n[routing]\nread_your_writes_timeout_ms = 5000\n"});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("SET character_set_results = filename").ok);
    for (int i = 0; i < 3; ++i) {
        const auto [seen, server] =
            write_then_read(*c, 3000 + i + static_cast<int>(::getpid()) * 10);
        EXPECT_TRUE(seen) << "round " << i;
        EXPECT_NE(server, primary_id()) << "round " << i;
    }
}

// A non-transactional table keeps the rows inserted before a statement's error: the
// statement failed but wrote, and the session must read that write.
TEST_F(DelayedReplication, WritesThatFailButChangeDataAreWaitedFor) {
    ProxyProcess proxy({.extra_toml = "\n[routing]\nread_your_writes_timeout_ms = 5000\n"});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    const std::string v = std::to_string(7000 + static_cast<int>(::getpid()) * 10);
    const std::string w = std::to_string(7001 + static_cast<int>(::getpid()) * 10);
    const auto insert =
        c->query("INSERT INTO itest.plain VALUES (" + v + "), (" + w + "), (" + v + ")");
    ASSERT_FALSE(insert.ok);
    EXPECT_EQ(insert.error_code, 1062u) << insert.error;
    const auto r = c->query(
        "/* sqlgate:route=random */ SELECT COUNT(*), @@server_id FROM "
        "itest.plain WHERE v IN (" +
        v + ", " + w + ")");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows[0][0], "2");
    EXPECT_NE(r.rows[0][1], std::to_string(primary_id()));
}

// USE of a database the replicas have not created yet: replayed only once the replica has
// the session's writes, and an SQL error in a replay never takes a replica out of rotation.
TEST_F(DelayedReplication, StateIsReplayedAfterTheWritesItNames) {
    for (const bool read_your_writes : {true, false}) {
        ProxyProcess proxy({.extra_toml = std::string("\n[routing]\nread_your_writes = ") +
                                          (read_your_writes ? "true" : "false") +
                                          "\nread_your_writes_timeout_ms = 5000\n"});
        proxy.wait_until_replicas_serve();
        auto c = proxy.connect();
        const std::string db =
            "fresh_" + std::to_string(::getpid()) + (read_your_writes ? "a" : "b");
        ASSERT_TRUE(c->query("CREATE DATABASE " + db).ok);
        ASSERT_TRUE(c->query("USE " + db).ok);
        const auto r = c->query("/* sqlgate:route=random */ SELECT DATABASE(), @@server_id");
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.rows[0][0], db);
        if (read_your_writes) {
            EXPECT_NE(r.rows[0][1], std::to_string(primary_id()));
        }
        EXPECT_EQ(proxy.log().find("backend_unreachable"), std::string::npos) << proxy.log();
        ASSERT_TRUE(c->query("DROP DATABASE " + db).ok);
        auto other = proxy.connect();
        EXPECT_NE(other->server_id("/* sqlgate:route=random */ "), primary_id());
    }
}

// The GTID of a write comes with its reply (session tracking of last_gtid): the read that
// follows waits for it on a replica even when the primary can no longer be asked, here
// because the proxy has just been cut off from it.
TEST_F(DelayedReplication, ReadYourWritesNeedsNoPrimaryAfterTheWrite) {
    const TestCluster& cluster = TestCluster::get();
    const std::string relay_address = std::string(kClusterNet) + ".60";
    auto relay = std::make_optional<DelayRelay>(relay_address, 3306, cluster.primary().host,
                                                cluster.primary().port, kProxyAddress, 0ms);
    ProxyScenario scenario;
    scenario.extra_toml = "\n[routing]\nread_your_writes_timeout_ms = 5000\n";
    for (const ClusterNode& n : cluster.nodes()) {
        const bool is_primary = n.name == cluster.primary().name;
        scenario.servers.push_back(
            {n.name, is_primary ? relay_address : n.host, n.port, is_primary});
    }
    ProxyProcess proxy(scenario);
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    const std::string value = std::to_string(11000 + static_cast<int>(::getpid()) * 10);
    ASSERT_TRUE(c->query("INSERT INTO itest.ryw VALUES (" + value + ")").ok);
    relay.reset();
    const auto r = c->query(
        "/* sqlgate:route=random */ SELECT COUNT(*), @@server_id FROM itest.ryw WHERE v = " +
        value);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows[0][0], "1") << "the read missed the session's own write";
    EXPECT_NE(r.rows[0][1], std::to_string(primary_id()));
}

TEST_F(DelayedReplication, WithoutReadYourWritesAReplicaReadCanBeStale) {
    // The control experiment: it shows the setup really produces stale reads.
    ProxyProcess proxy({.extra_toml = "\n[routing]\nread_your_writes = false\n"});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    const auto [seen, server] = write_then_read(*c, 9000 + static_cast<int>(::getpid()) * 10);
    EXPECT_FALSE(seen);
    EXPECT_NE(server, primary_id());
}

}  // namespace
}  // namespace sqlgate::testing
