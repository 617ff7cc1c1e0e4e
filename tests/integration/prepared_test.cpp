// Prepared statements through the proxy with libmariadb's own statement API: reads spread
// over the replicas (prepared again there, parameter types carried over), writes, cursors,
// long data and transactions on the primary.
#include <gtest/gtest.h>
#include <mysql.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "harness/proxy_process.hpp"
#include "harness/sql_statement.hpp"

namespace sqlgate::testing {
namespace {

class Prepared : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }
};

int as_int(const std::string& s) {
    return std::stoi(s);
}

int server_id_of(const std::string& name) {
    for (const auto& node : TestCluster::get().nodes()) {
        if (node.name == name) return node.server_id;
    }
    ADD_FAILURE() << "no node " << name;
    return -1;
}

TEST_F(Prepared, ReadsSpreadOverTheReplicasWithTheirParameters) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    SqlStatement s(*c, "SELECT @@server_id, ? + 1, CONCAT('x', ?)");
    ASSERT_TRUE(s.prepared()) << s.error();
    EXPECT_EQ(mysql_stmt_param_count(s.handle()), 2u);
    // A prepare's reply has no status flags: it must not look like autocommit turned off.
    EXPECT_NE(c->server_id("/* sqlgate:route=random */ "), TestCluster::get().primary().server_id);
    std::set<int> servers;
    // Bound once: libmariadb sends the parameter types with the first execution only, so
    // every replica after the first gets them from the proxy.
    ASSERT_TRUE(s.bind({41, 7}));
    for (int i = 0; i < 30; ++i) {
        const auto rows = s.run();
        ASSERT_TRUE(rows) << s.error();
        ASSERT_EQ(rows->size(), 1u);
        servers.insert(as_int(rows->at(0).at(0)));
        EXPECT_EQ(rows->at(0).at(1), "42");
        EXPECT_EQ(rows->at(0).at(2), "x7");
    }
    EXPECT_FALSE(servers.contains(TestCluster::get().primary().server_id));
    EXPECT_GE(servers.size(), 2u) << "30 random reads reached one replica only";
    // New types (strings now) reach every replica too, not only the one that ran it first.
    ASSERT_TRUE(s.bind_strings({"1.5", "yz"}));
    for (int i = 0; i < 12; ++i) {
        const auto rows = s.run();
        ASSERT_TRUE(rows) << s.error();
        EXPECT_EQ(rows->at(0).at(1), "2.5");
        EXPECT_EQ(rows->at(0).at(2), "xyz");
    }
}

TEST_F(Prepared, HintsTransactionsAndWritesKeepTheirRoutes) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    const int primary = TestCluster::get().primary().server_id;
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(
        c->query("CREATE TABLE IF NOT EXISTS itest.pst (id INT PRIMARY KEY, v VARCHAR(20))").ok);
    ASSERT_TRUE(c->query("DELETE FROM itest.pst").ok);

    SqlStatement direct(*c, "/* sqlgate:route=direct */ SELECT @@server_id");
    ASSERT_TRUE(direct.prepared()) << direct.error();
    for (int i = 0; i < 3; ++i) {
        const auto rows = direct.run();
        ASSERT_TRUE(rows) << direct.error();
        EXPECT_EQ(as_int(rows->at(0).at(0)), primary);
    }
    SqlStatement named(*c, "/* sqlgate:route=node:replica-2 */ SELECT @@server_id");
    ASSERT_TRUE(named.prepared()) << named.error();
    const auto on_node = named.run();
    ASSERT_TRUE(on_node) << named.error();
    EXPECT_EQ(as_int(on_node->at(0).at(0)), server_id_of("replica-2"));

    // A write, then a read of it: read-your-writes holds for prepared reads on replicas.
    SqlStatement insert(*c, "INSERT INTO itest.pst VALUES (?, 'written')");
    ASSERT_TRUE(insert.prepared()) << insert.error();
    SqlStatement read(*c, "SELECT v, @@server_id FROM itest.pst WHERE id = ?");
    ASSERT_TRUE(read.prepared()) << read.error();
    for (long long id = 1; id <= 5; ++id) {
        ASSERT_TRUE(insert.bind({id}));
        ASSERT_TRUE(insert.run()) << insert.error();
        EXPECT_EQ(mysql_stmt_affected_rows(insert.handle()), 1u);
        ASSERT_TRUE(read.bind({id}));
        const auto rows = read.run();
        ASSERT_TRUE(rows) << read.error();
        ASSERT_EQ(rows->size(), 1u) << "row " << id << " not seen";
        EXPECT_EQ(rows->at(0).at(0), "written");
        EXPECT_NE(as_int(rows->at(0).at(1)), primary);
    }
    // Inside a transaction the same prepared read runs on the primary.
    ASSERT_TRUE(c->query("START TRANSACTION").ok);
    const auto in_trx = read.run();
    ASSERT_TRUE(in_trx) << read.error();
    EXPECT_EQ(as_int(in_trx->at(0).at(1)), primary);
    ASSERT_TRUE(c->query("COMMIT").ok);

    // A bad hint is refused at prepare time; the session goes on.
    SqlStatement bad(*c, "/* sqlgate:route=nowhere */ SELECT 1");
    EXPECT_FALSE(bad.prepared());
    EXPECT_NE(bad.error().find("unknown route"), std::string::npos) << bad.error();
    EXPECT_EQ(c->query("SELECT COUNT(*) FROM itest.pst").scalar(), "5");
}

TEST_F(Prepared, CursorsFetchRowsFromThePrimary) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    SqlStatement s(*c, "SELECT seq, @@server_id FROM itest.seq_1_to_25");
    ASSERT_TRUE(s.prepared()) << s.error();
    ASSERT_TRUE(s.use_cursor(4));
    for (int round = 0; round < 2; ++round) {
        const auto rows = s.run();
        ASSERT_TRUE(rows) << s.error();
        ASSERT_EQ(rows->size(), 25u);
        EXPECT_EQ(rows->back().at(0), "25");
        EXPECT_EQ(as_int(rows->front().at(1)), TestCluster::get().primary().server_id);
    }
    // Rows came by COM_STMT_FETCH, four at a time (25 rows: 7 fetches per execution).
    const auto fetches =
        c->query("/* sqlgate:route=direct */ SHOW SESSION STATUS LIKE 'Com_stmt_fetch'");
    ASSERT_TRUE(fetches.ok) << fetches.error;
    EXPECT_GE(as_int(*fetches.rows.at(0).at(1)), 14);
    EXPECT_EQ(c->query("SELECT 'after cursors'").scalar(), "after cursors");
}

TEST_F(Prepared, LongDataRunsWhereItWasSent) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    SqlStatement s(*c, "SELECT LENGTH(?), @@server_id");
    ASSERT_TRUE(s.prepared()) << s.error();
    ASSERT_TRUE(s.bind_strings({""}));
    const std::string chunk(1000, 'q');
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(mysql_stmt_send_long_data(s.handle(), 0, chunk.data(), chunk.size()), 0)
            << s.error();
    }
    const auto rows = s.run();
    ASSERT_TRUE(rows) << s.error();
    EXPECT_EQ(rows->at(0).at(0), "3000");
    EXPECT_EQ(as_int(rows->at(0).at(1)), TestCluster::get().primary().server_id);
    // Without long data the next execution is a plain read again.
    const auto again = s.run();
    ASSERT_TRUE(again) << s.error();
    EXPECT_EQ(again->at(0).at(0), "0");
}

TEST_F(Prepared, ClosedAndResetStatementsAndManyOfThem) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    // More texts than one backend connection keeps prepared: statements stay prepared on a
    // pooled connection for whoever borrows it next, up to 64, then it starts over.
    constexpr int kTexts = 150;
    for (int i = 0; i < kTexts; ++i) {
        SqlStatement s(*c, "SELECT " + std::to_string(i) + " + ?, @@server_id");
        ASSERT_TRUE(s.prepared()) << s.error();
        ASSERT_TRUE(s.bind({1000}));
        const auto rows = s.run();
        ASSERT_TRUE(rows) << s.error();
        EXPECT_EQ(rows->at(0).at(0), std::to_string(1000 + i));
        EXPECT_EQ(mysql_stmt_reset(s.handle()), 0) << s.error();
    }
    // One client: one connection to each server, which never held more than 64 (the tests
    // run one at a time, so no other client prepares on these servers).
    int replicas_used = 0;
    for (const auto& node : TestCluster::get().nodes()) {
        const auto open = c->query("/* sqlgate:route=node:" + node.name +
                                   " */ SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'");
        ASSERT_TRUE(open.ok) << open.error;
        ASSERT_EQ(open.rows.size(), 1u);
        EXPECT_LE(std::stoi(open.rows[0][1].value_or("-1")), 64)
            << "statements left open on " << node.name;
        const auto executed = c->query("/* sqlgate:route=node:" + node.name +
                                       " */ SHOW SESSION STATUS LIKE 'Com_stmt_execute'");
        ASSERT_TRUE(executed.ok) << executed.error;
        if (node.server_id != TestCluster::get().primary().server_id &&
            executed.rows.at(0)[1] != "0") {
            ++replicas_used;
        }
    }
    EXPECT_GE(replicas_used, 1);
    // A statement id the client never had is refused.
    MYSQL_STMT* stale = mysql_stmt_init(c->handle());
    const std::string sql = "SELECT 1";
    ASSERT_EQ(mysql_stmt_prepare(stale, sql.data(), sql.size()), 0);
    stale->stmt_id += 1000;
    EXPECT_NE(mysql_stmt_execute(stale), 0);
    stale->stmt_id -= 1000;
    mysql_stmt_close(stale);
    EXPECT_EQ(c->query("SELECT 'usable'").scalar(), "usable");
}

}  // namespace
}  // namespace sqlgate::testing
