// The same answers through sqlgate as from the primary, for the statement classes MariaDB's
// own tests found wrong: stored programs with open cursors, extended type metadata, stored
// functions that write, user variables set outside SET, and facts about the previous
// statement. Each case runs through `direct` (sqlgate must be invisible) and `random`.
#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "eventually.hpp"
#include "harness/proxy_process.hpp"

namespace sqlgate::testing {
namespace {

class SameAnswers : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        TestCluster::get();
        proxy_ = std::make_unique<ProxyProcess>(ProxyScenario{.default_route = GetParam()});
        proxy_->wait_until_replicas_serve();
        auto c = proxy_->connect();
        ASSERT_TRUE(c);
        for (const char* sql : {
                 "CREATE DATABASE IF NOT EXISTS rc",
                 "CREATE TABLE IF NOT EXISTS rc.t1 (a INT PRIMARY KEY)",
                 "INSERT IGNORE INTO rc.t1 VALUES (10), (20), (30)",
             }) {
            const auto r = c->query(sql);
            ASSERT_TRUE(r.ok) << sql << ": " << r.error;
        }
        TestCluster::get().wait_for_replication();
    }

    // Runs each statement on a fresh session; all must succeed. Returns that session.
    std::unique_ptr<SqlClient> session(std::initializer_list<std::string> statements) {
        auto c = proxy_->connect();
        for (const std::string& sql : statements) {
            const auto r = c->query(sql);
            EXPECT_TRUE(r.ok) << sql << ": " << r.error;
        }
        return c;
    }

    int primary_id() const { return TestCluster::get().primary().server_id; }

    std::unique_ptr<ProxyProcess> proxy_;
};

INSTANTIATE_TEST_SUITE_P(Routes, SameAnswers, ::testing::Values("direct", "random"));

// The server flags SERVER_STATUS_CURSOR_EXISTS on text results produced while a stored
// program holds an open cursor; their rows still follow.
TEST_P(SameAnswers, StoredProgramsWithAnOpenCursor) {
    auto c = proxy_->connect();
    auto r = c->query(
        "BEGIN NOT ATOMIC DECLARE x INT; DECLARE c CURSOR FOR SELECT a FROM rc.t1 ORDER BY a; "
        "OPEN c; FETCH c INTO x; SELECT x; CLOSE c; END");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.scalar(), "10");
    r = c->query(
        "CREATE OR REPLACE PROCEDURE rc.first_a() BEGIN DECLARE x INT; DECLARE c CURSOR FOR "
        "SELECT a FROM rc.t1 ORDER BY a; OPEN c; FETCH c INTO x; SELECT x AS first_a; "
        "SELECT a FROM rc.t1 ORDER BY a; CLOSE c; END");
    ASSERT_TRUE(r.ok) << r.error;
    r = c->query("CALL rc.first_a()");
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.rows.size(), 3u);  // the last result set
    EXPECT_EQ(r.rows[2][0], "30");
    r = c->query("SELECT a FROM rc.t1 PROCEDURE ANALYSE()");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows.size(), 1u);
    EXPECT_EQ(c->query("SELECT 1").scalar(), "1");  // the session is still in step
}

TEST_P(SameAnswers, JsonColumnsKeepTheirFormatName) {
    session({"CREATE TABLE IF NOT EXISTS rc.j (doc JSON)"});
    TestCluster::get().wait_for_replication();
    const TestCluster& cluster = TestCluster::get();
    // The control: the primary itself says so to the proxy's account.
    std::string password;
    std::getline(std::ifstream(cluster.value("CLUSTER_PROXY_PASSWORD_FILE")), password);
    auto direct = SqlClient::connect({.host = cluster.primary().host,
                                      .port = static_cast<unsigned>(cluster.primary().port),
                                      .user = cluster.value("CLUSTER_PROXY_USER"),
                                      .password = password,
                                      .bind_address = kProxyAddress});
    ASSERT_TRUE(direct);
    ASSERT_EQ(direct->first_column_format("SELECT doc FROM rc.j"), "json");
    // Through the proxy, once its monitor has greeted every server.
    EXPECT_TRUE(eventually("format=json through the proxy", std::chrono::seconds(5), [&] {
        auto c = proxy_->connect();
        return c->first_column_format("SELECT doc FROM rc.j") == "json";
    }));
    auto c = proxy_->connect();
    EXPECT_EQ(c->first_column_format("SELECT doc, 1 FROM rc.j"), "json");
    EXPECT_EQ(c->first_column_format("SELECT 1"), "");
}

TEST_P(SameAnswers, StoredFunctionsThatWriteRunOnThePrimary) {
    auto c =
        session({"CREATE TABLE IF NOT EXISTS rc.seq (n INT NOT NULL)",
                 "INSERT INTO rc.seq SELECT 0 FROM DUAL WHERE NOT EXISTS (SELECT * FROM rc.seq)",
                 "CREATE OR REPLACE FUNCTION rc.next_seq() RETURNS INT DETERMINISTIC "
                 "MODIFIES SQL DATA BEGIN UPDATE rc.seq SET n = n + 1; "
                 "RETURN (SELECT n FROM rc.seq); END",
                 "USE rc"});
    for (const std::string sql :
         {"SELECT rc.next_seq(), @@server_id", "SELECT next_seq(), @@server_id",
          "SELECT `next_seq`(), @@server_id"}) {
        const auto r = c->query(sql);
        ASSERT_TRUE(r.ok) << sql << ": " << r.error;
        EXPECT_EQ(r.rows[0][1], std::to_string(primary_id())) << sql;
    }
    // Every replica applied the same writes, and still replicates.
    const TestCluster& cluster = TestCluster::get();
    cluster.wait_for_replication();
    const std::string n = cluster.admin_sql(cluster.primary(), "SELECT n FROM rc.seq");
    for (const ClusterNode& node : cluster.nodes()) {
        EXPECT_EQ(cluster.admin_sql(node, "SELECT n FROM rc.seq"), n) << node.name;
    }
}

// Each case on a fresh session: the first statement that may leave a variable on the
// primary only sends every later read of a variable there.
TEST_P(SameAnswers, UserVariablesSetOutsideSet) {
    session(
        {"CREATE OR REPLACE PROCEDURE rc.count_rows(OUT cnt INT) "
         "BEGIN SELECT COUNT(*) INTO cnt FROM rc.t1; END",
         "CREATE OR REPLACE FUNCTION rc.set_var() RETURNS INT DETERMINISTIC NO SQL "
         "BEGIN SET @from_function = 5; RETURN 1; END",
         "CREATE TABLE IF NOT EXISTS rc.trig_t (a INT)",
         "CREATE OR REPLACE TRIGGER rc.trig_t_ai AFTER INSERT ON rc.trig_t FOR EACH ROW "
         "SET @from_trigger = NEW.a"});
    TestCluster::get().wait_for_replication();
    struct Case {
        std::string set;
        std::string read;
        std::string expected;
    };
    const Case cases[] = {
        {"CALL rc.count_rows(@cnt)", "SELECT @cnt", "3"},
        {"SELECT @x := 41 + 1", "SELECT @x", "42"},
        {"SELECT 7 INTO @y", "SELECT @y", "7"},
        {"SELECT a INTO @z FROM rc.t1 WHERE a = 20", "SELECT @z + 1", "21"},
        {"SELECT rc.set_var()", "SELECT @from_function", "5"},
        {"INSERT INTO rc.trig_t VALUES (9)", "SELECT @from_trigger", "9"},
        {"SET @sid = @@server_id", "SELECT @sid", std::to_string(primary_id())},
    };
    for (const Case& c : cases) {
        auto s = session({c.set});
        for (int i = 0; i < 3; ++i)
            EXPECT_EQ(s->query(c.read).scalar(), c.expected) << c.set << "; " << c.read;
        // Reads without variables still spread.
        if (GetParam() == "random") {
            EXPECT_NE(s->server_id(), primary_id()) << c.set;
        }
    }
}

TEST_P(SameAnswers, FactsAboutThePreviousStatement) {
    auto c = session({"CREATE TABLE IF NOT EXISTS rc.counted (a INT)"});
    TestCluster::get().wait_for_replication();
    ASSERT_TRUE(c->query("SELECT SQL_CALC_FOUND_ROWS a FROM rc.t1 LIMIT 1").ok);
    EXPECT_EQ(c->query("SELECT FOUND_ROWS()").scalar(), "3");
    ASSERT_TRUE(c->query("SELECT a FROM rc.t1 WHERE a > 10").ok);
    EXPECT_EQ(c->query("SELECT FOUND_ROWS()").scalar(), "2");
    ASSERT_TRUE(c->query("INSERT INTO rc.counted VALUES (1), (2)").ok);
    EXPECT_EQ(c->query("SELECT ROW_COUNT()").scalar(), "2");
    ASSERT_TRUE(c->query("SET optimizer_trace = 'enabled=on'").ok);
    const std::string traced = "SELECT a FROM rc.t1 WHERE a = 20";
    ASSERT_TRUE(c->query(traced).ok);
    EXPECT_EQ(c->query("SELECT QUERY FROM information_schema.OPTIMIZER_TRACE").scalar(), traced);
    ASSERT_TRUE(c->query(traced).ok);
    const auto status = c->query("SHOW SESSION STATUS LIKE 'Handler_read_key'");
    ASSERT_TRUE(status.ok) << status.error;
    ASSERT_EQ(status.rows.size(), 1u);
    EXPECT_GE(std::stoi(status.rows[0][1].value_or("0")), 1);
}

// An account that can bypass read_only, and an operator who wrongly declared a writing
// function replica-safe: the replica still refuses the write, and the monitor warned.
TEST(OverPrivilegedBackend, NoReplicaExecutesAWrite) {
    const TestCluster& cluster = TestCluster::get();
    cluster.admin_sql(cluster.primary(),
                      "CREATE USER IF NOT EXISTS 'sqlgate_super'@'" +
                          std::string(kClientHostPattern) +
                          "' IDENTIFIED BY 'super-password'; GRANT ALL PRIVILEGES ON *.* TO "
                          "'sqlgate_super'@'" +
                          std::string(kClientHostPattern) + "'");
    const std::string password_file = scratch_dir("super") + "/password";
    std::ofstream(password_file) << "super-password\n";
    ProxyProcess proxy({.extra_toml = "\n[routing]\nreplica_safe_functions = [\"rc.bump\"]\n",
                        .backend_user = "sqlgate_super",
                        .backend_password_file = password_file});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    for (const char* sql :
         {"CREATE DATABASE IF NOT EXISTS rc", "CREATE TABLE IF NOT EXISTS rc.bumped (n INT)",
          "CREATE OR REPLACE FUNCTION rc.bump() RETURNS INT DETERMINISTIC MODIFIES SQL DATA "
          "BEGIN INSERT INTO rc.bumped VALUES (1); RETURN 1; END"}) {
        ASSERT_TRUE(c->query(sql).ok) << sql;
    }
    cluster.wait_for_replication();
    int refused = 0;
    for (int i = 0; i < 6; ++i) {
        const auto r = c->query("SELECT rc.bump(), @@server_id");
        if (!r.ok) {
            EXPECT_EQ(r.error_code, 1792u) << r.error;  // READ ONLY transaction
            ++refused;
        } else {
            EXPECT_EQ(r.rows[0][1], std::to_string(cluster.primary().server_id));
        }
    }
    EXPECT_GT(refused, 0) << "the hint should have sent some calls to replicas";
    cluster.wait_for_replication();  // replication still runs
    const std::string rows = cluster.admin_sql(cluster.primary(), "SELECT COUNT(*) FROM rc.bumped");
    for (const ClusterNode& node : cluster.nodes()) {
        EXPECT_EQ(cluster.admin_sql(node, "SELECT COUNT(*) FROM rc.bumped"), rows) << node.name;
    }
    EXPECT_TRUE(eventually("the monitor's warning", std::chrono::seconds(5), [&] {
        return proxy.log().find("replica_account_bypasses_read_only") != std::string::npos;
    })) << proxy.log();
}

}  // namespace
}  // namespace sqlgate::testing
