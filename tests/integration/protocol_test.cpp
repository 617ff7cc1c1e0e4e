// The protocol through the proxy: big packets, multiple results, the commands it supports,
// and the stock `mariadb` command-line client.
#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "eventually.hpp"
#include "harness/proxy_process.hpp"
#include "harness/raw_mysql_client.hpp"
#include "mysql/constants.hpp"
#include "mysql/messages.hpp"
#include "mysql/response_tracker.hpp"
#include "mysql/wire.hpp"

namespace sqlgate::testing {
namespace {

class Protocol : public ::testing::Test {
  protected:
    // In SetUp, not SetUpTestSuite: gtest reports a failed suite set-up as skipped tests.
    void SetUp() override { TestCluster::get(); }
};

TEST_F(Protocol, StatementAndRowOfMoreThan16MiBCrossSplitPackets) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    const std::size_t big = 17 * 1024 * 1024 + 5;
    // A statement larger than one packet (client to proxy to primary).
    const auto r1 =
        c->query("/* sqlgate:route=direct */ SELECT LENGTH('" + std::string(big, 'a') + "')");
    ASSERT_TRUE(r1.ok) << r1.error;
    EXPECT_EQ(r1.scalar(), std::to_string(big));
    // A row larger than one packet (replica to proxy to client), then the session goes on.
    const auto r2 = c->query("/* sqlgate:route=random */ SELECT REPEAT('b', " +
                             std::to_string(big) + "), @@server_id");
    ASSERT_TRUE(r2.ok) << r2.error;
    ASSERT_EQ(r2.rows.size(), 1u);
    EXPECT_EQ(r2.rows[0][0]->size(), big);
    EXPECT_EQ(r2.rows[0][0]->find_first_not_of('b'), std::string::npos);
    // Exactly 16 MiB - 1 bytes of payload needs an empty trailing packet.
    const std::size_t edge = 0xffffff - 1 - std::string("SELECT LENGTH('')").size();
    const auto r3 = c->query("SELECT LENGTH('" + std::string(edge, 'c') + "')");
    ASSERT_TRUE(r3.ok) << r3.error;
    EXPECT_EQ(r3.scalar(), std::to_string(edge));
    EXPECT_EQ(c->query("SELECT 9").scalar(), "9");
}

TEST_F(Protocol, MultiStatementsAndMultipleResultSets) {
    ProxyProcess proxy({});
    ConnectOptions o = proxy.client_options();
    o.multi_statements = true;
    auto c = SqlClient::connect(o);
    ASSERT_TRUE(c);
    const auto r = c->query("SELECT 1; SELECT 2; SELECT 3 AS last");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.columns.at(0), "last");
    EXPECT_EQ(r.scalar(), "3");
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(c->query("DROP PROCEDURE IF EXISTS itest.two_results").ok);
    ASSERT_TRUE(
        c->query("CREATE PROCEDURE itest.two_results() BEGIN SELECT 'a'; SELECT 'b' AS second; END")
            .ok);
    const auto p = c->query("CALL itest.two_results()");
    ASSERT_TRUE(p.ok) << p.error;
    EXPECT_EQ(p.columns.at(0), "second");
    EXPECT_EQ(c->query("SELECT 4").scalar(), "4");
}

TEST_F(Protocol, ErrorsFromTheServerReachTheClientUnchanged) {
    ProxyProcess proxy({});
    auto c = proxy.connect();
    const auto r = c->query("SELECT * FROM itest.no_such_table");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_code, 1146u);
    const auto w = c->query("INSERT INTO itest.no_such_table VALUES (1)");
    EXPECT_EQ(w.error_code, 1146u);
    EXPECT_EQ(c->query("SELECT 'still here'").scalar(), "still here");
}

TEST_F(Protocol, PingStatisticsFieldListAndResetConnection) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    EXPECT_EQ(mysql_ping(c->handle()), 0);
    const char* stat = mysql_stat(c->handle());
    ASSERT_NE(stat, nullptr);
    EXPECT_NE(std::string(stat).find("Uptime"), std::string::npos) << stat;
    // COM_STATISTICS' reply has no status flags: reads still leave the primary after it.
    EXPECT_NE(c->server_id("/* sqlgate:route=random */ "), TestCluster::get().primary().server_id);

    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(c->query("CREATE TABLE IF NOT EXISTS itest.fl (a INT, b VARCHAR(3))").ok);
    ASSERT_EQ(mysql_select_db(c->handle(), "itest"), 0);
    MYSQL_RES* fields = mysql_list_fields(c->handle(), "fl", nullptr);
    ASSERT_NE(fields, nullptr) << mysql_error(c->handle());
    EXPECT_EQ(mysql_num_fields(fields), 2u);
    mysql_free_result(fields);

    ASSERT_TRUE(c->query("SET @v = 'before reset'").ok);
    EXPECT_EQ(mysql_reset_connection(c->handle()), 0) << mysql_error(c->handle());
    const auto r = c->query("/* sqlgate:route=random */ SELECT @v, DATABASE()");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows[0][0], std::nullopt);
    EXPECT_EQ(r.rows[0][1], std::nullopt);
}

TEST_F(Protocol, ChangeUserStartsAFreshSession) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(c->query("SET @left_over = 1").ok);
    ASSERT_EQ(mysql_change_user(c->handle(), kAppUser, kAppPassword, "itest"), 0)
        << mysql_error(c->handle());
    const auto r = c->query("/* sqlgate:route=random */ SELECT DATABASE(), @left_over");
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.rows[0][0], "itest");
    EXPECT_EQ(r.rows[0][1], std::nullopt);
    EXPECT_NE(mysql_change_user(c->handle(), kAppUser, "wrong password", nullptr), 0);
    EXPECT_NE(std::string(mysql_error(c->handle())).find("Access denied"), std::string::npos)
        << mysql_error(c->handle());
    EXPECT_TRUE(proxy.connect());
}

TEST_F(Protocol, PreparedWritesRunOnThePrimaryAndTheirReadsSeeThem) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(
        c->query("CREATE TABLE IF NOT EXISTS itest.ps (id INT PRIMARY KEY, v VARCHAR(20))").ok);
    ASSERT_TRUE(c->query("DELETE FROM itest.ps").ok);

    MYSQL_STMT* insert = mysql_stmt_init(c->handle());
    const std::string insert_sql = "INSERT INTO itest.ps VALUES (?, ?)";
    ASSERT_EQ(mysql_stmt_prepare(insert, insert_sql.data(), insert_sql.size()), 0)
        << mysql_stmt_error(insert);
    EXPECT_EQ(mysql_stmt_param_count(insert), 2u);
    for (int id = 1; id <= 3; ++id) {
        std::string value = "row " + std::to_string(id);
        unsigned long length = value.size();
        MYSQL_BIND params[2] = {};
        params[0].buffer_type = MYSQL_TYPE_LONG;
        params[0].buffer = &id;
        params[1].buffer_type = MYSQL_TYPE_STRING;
        params[1].buffer = value.data();
        params[1].buffer_length = length;
        params[1].length = &length;
        ASSERT_EQ(mysql_stmt_bind_param(insert, params), 0);
        ASSERT_EQ(mysql_stmt_execute(insert), 0) << mysql_stmt_error(insert);
        EXPECT_EQ(mysql_stmt_affected_rows(insert), 1u);
    }
    EXPECT_EQ(mysql_stmt_close(insert), 0);

    MYSQL_STMT* select = mysql_stmt_init(c->handle());
    const std::string select_sql = "SELECT v, @@server_id FROM itest.ps WHERE id > ? ORDER BY id";
    ASSERT_EQ(mysql_stmt_prepare(select, select_sql.data(), select_sql.size()), 0)
        << mysql_stmt_error(select);
    int after = 1;
    MYSQL_BIND param = {};
    param.buffer_type = MYSQL_TYPE_LONG;
    param.buffer = &after;
    ASSERT_EQ(mysql_stmt_bind_param(select, &param), 0);
    ASSERT_EQ(mysql_stmt_execute(select), 0) << mysql_stmt_error(select);
    char value[32] = {};
    unsigned long value_length = 0;
    long long server = 0;
    MYSQL_BIND out[2] = {};
    out[0].buffer_type = MYSQL_TYPE_STRING;
    out[0].buffer = value;
    out[0].buffer_length = sizeof value;
    out[0].length = &value_length;
    out[1].buffer_type = MYSQL_TYPE_LONGLONG;
    out[1].buffer = &server;
    ASSERT_EQ(mysql_stmt_bind_result(select, out), 0);
    std::vector<std::string> rows;
    while (mysql_stmt_fetch(select) == 0) {
        rows.emplace_back(value, value_length);
        // A replica, which read-your-writes made wait for the inserts.
        EXPECT_NE(server, TestCluster::get().primary().server_id);
    }
    EXPECT_EQ(rows, (std::vector<std::string>{"row 2", "row 3"}));
    EXPECT_EQ(mysql_stmt_close(select), 0);

    MYSQL_STMT* broken = mysql_stmt_init(c->handle());
    const std::string bad_sql = "SELECT * FROM itest.no_such_table WHERE id = ?";
    EXPECT_NE(mysql_stmt_prepare(broken, bad_sql.data(), bad_sql.size()), 0);
    EXPECT_EQ(mysql_stmt_errno(broken), 1146u);
    mysql_stmt_close(broken);
    EXPECT_EQ(c->query("SELECT COUNT(*) FROM itest.ps").scalar(), "3");
}

TEST_F(Protocol, KillNamesTheProxysConnectionIds) {
    ProxyProcess proxy({});
    auto victim = proxy.connect();
    auto killer = proxy.connect();
    const unsigned long id = mysql_thread_id(victim->handle());
    expect_kill_query_interrupts(*victim, *killer);

    ASSERT_TRUE(killer->query("KILL " + std::to_string(id)).ok);
    EXPECT_FALSE(victim->query("SELECT 1").ok);
    const auto unknown = killer->query("KILL 4000000000");
    EXPECT_EQ(unknown.error_code, 1094u) << unknown.error;
    EXPECT_EQ(killer->query("SELECT 'killer fine'").scalar(), "killer fine");
}

TEST_F(Protocol, AffectedRowsAndLastInsertIdReachTheClient) {
    ProxyProcess proxy({});
    auto c = proxy.connect();
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    ASSERT_TRUE(
        c->query("CREATE TABLE IF NOT EXISTS itest.ai (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
            .ok);
    const auto r = c->query("INSERT INTO itest.ai (v) VALUES (1), (2), (3)");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.affected_rows, 3u);
    const auto id = mysql_insert_id(c->handle());
    EXPECT_GT(id, 0u);
    EXPECT_EQ(c->query("SELECT LAST_INSERT_ID()").scalar(), std::to_string(id));
}

using ReplyPackets = std::vector<std::pair<std::uint8_t, std::vector<std::uint8_t>>>;

// Every packet of a reply to `sql`, with its sequence id; empty when the connection failed.
ReplyPackets reply_packets(RawMysqlConnection& c, const std::string& sql,
                           std::uint32_t capabilities) {
    mysql::Bytes command;
    mysql::serialize_command(command, mysql::Command::query, sql);
    ReplyPackets packets;
    if (!c.write_packet(command, 0)) return packets;
    mysql::ResponseTracker tracker(static_cast<mysql::Capability>(capabilities),
                                   mysql::ReplyShape::result);
    for (;;) {
        std::vector<std::uint8_t> payload;
        std::uint8_t sequence = 0;
        if (!c.read_packet(payload, sequence)) return {};
        const auto progress = tracker.on_packet(
            static_cast<std::uint32_t>(payload.size()),
            mysql::ByteView(payload.data(), std::min<std::size_t>(payload.size(), 32)));
        packets.emplace_back(sequence, std::move(payload));
        if (progress != mysql::ResponseTracker::Progress::more) return packets;
    }
}

// The reply with the entries of each OK packet's session state block in sorted order.
// MariaDB lists the changes in the order of its internal hash of the tracked variables, which
// depends on which variables a session tracks and on the server's memory layout (the same
// statement's entries came in another order after one restart in six): a client cannot rely
// on that order even from the server directly, so it is the one thing compared as a set.
ReplyPackets with_state_changes_sorted(ReplyPackets packets) {
    for (auto& [sequence, payload] : packets) {
        mysql::ByteReader r(mysql::ByteView(payload.data(), payload.size()));
        const std::uint8_t header = r.u8();
        r.lenenc();  // affected rows
        r.lenenc();  // last insert id
        const std::uint16_t status = r.u16();
        r.u16();  // warnings
        if (!r.ok() || (header != mysql::kOkHeader && header != mysql::kEofHeader) ||
            !mysql::has(status, mysql::ServerStatus::session_state_changed)) {
            continue;
        }
        const std::size_t fixed_size = payload.size() - r.remaining();
        const std::string_view info = r.lenenc_string();
        const std::string_view block = r.lenenc_string();
        if (!r.ok() || !r.at_end()) continue;
        std::vector<std::string> entries;
        mysql::ByteReader e(mysql::as_bytes(block));
        while (!e.at_end()) {
            mysql::Bytes entry;
            mysql::ByteWriter w(entry);
            w.u8(e.u8());
            w.lenenc_string(e.lenenc_string());
            if (!e.ok()) break;
            entries.emplace_back(mysql::as_chars(entry));
        }
        std::sort(entries.begin(), entries.end());
        std::string sorted;
        for (const auto& entry : entries)
            sorted += entry;
        mysql::Bytes canonical(payload.begin(),
                               payload.begin() + static_cast<std::ptrdiff_t>(fixed_size));
        mysql::ByteWriter w(canonical);
        w.lenenc_string(info);
        w.lenenc_string(sorted);
        payload.assign(canonical.begin(), canonical.end());
    }
    return packets;
}

// Read-your-writes makes the primary's sessions track last_gtid (and log in with session
// tracking even for a client without it): what a client gets must still be exactly what
// MariaDB sends it directly, byte for byte but for the order of the reported changes (see
// with_state_changes_sorted), with and without CLIENT_SESSION_TRACK and CLIENT_DEPRECATE_EOF.
TEST_F(Protocol, RepliesAreByteForByteWhatTheServerSendsDirectly) {
    ProxyProcess proxy({.extra_toml = "\n[routing]\nread_your_writes_timeout_ms = 5000\n"});
    proxy.wait_until_replicas_serve();
    const TestCluster& cluster = TestCluster::get();
    cluster.admin_sql(cluster.primary(), "CREATE DATABASE IF NOT EXISTS itest");
    std::string password;
    std::getline(std::ifstream(cluster.value("CLUSTER_PROXY_PASSWORD_FILE")), password);
    const std::string table = "itest.tracked_" + std::to_string(::getpid());
    const std::vector<std::string> statements = {
        "CREATE TABLE " + table + " (a INT PRIMARY KEY, b INT)",
        "INSERT INTO " + table + " VALUES (1, 1), (2, 2)",
        "UPDATE " + table + " SET b = 3",
        "UPDATE " + table + " SET b = 3",  // changes nothing: no GTID
        "USE itest",
        "SET NAMES latin1",
        "BEGIN",
        "INSERT INTO " + table + " VALUES (3, 3)",
        "COMMIT",
        "INSERT INTO " + table + " VALUES (4, 4) RETURNING a",
        "SELECT a, b FROM " + table + " ORDER BY a",
        "SET autocommit = 0",
        "DELETE FROM " + table + " WHERE a = 4",
        "COMMIT",
        "SET autocommit = 1",
        "SELECT @@session.session_track_system_variables",
        "INSERT INTO " + table + " VALUES (1, 1)",  // a duplicate key: ERR
        "DROP TABLE " + table,
    };
    const auto base = mysql::kProxyCapabilities & ~mysql::Capability::connect_with_db;
    for (const bool tracks : {true, false}) {
        for (const bool deprecate_eof : {true, false}) {
            auto caps = base;
            if (!tracks) caps = caps & ~mysql::Capability::session_track;
            if (!deprecate_eof) caps = caps & ~mysql::Capability::deprecate_eof;
            const std::string label = std::string("session_track ") + (tracks ? "on" : "off") +
                                      ", deprecate_eof " + (deprecate_eof ? "on" : "off");
            // Directly first: the table is created and dropped by each in turn.
            auto direct = RawMysqlConnection::open(cluster.primary().host,
                                                   static_cast<unsigned>(cluster.primary().port),
                                                   kProxyAddress);
            ASSERT_TRUE(direct);
            std::string error;
            ASSERT_TRUE(direct->login(cluster.value("CLUSTER_PROXY_USER"), password, &error,
                                      mysql::bits(caps)))
                << error;
            std::vector<ReplyPackets> expected;
            for (const std::string& sql : statements) {
                expected.push_back(reply_packets(*direct, sql, mysql::bits(caps)));
                ASSERT_FALSE(expected.back().empty()) << label << ": " << sql;
            }
            cluster.wait_for_replication();
            auto proxied = RawMysqlConnection::open(kProxyAddress, proxy.port());
            ASSERT_TRUE(proxied);
            ASSERT_TRUE(proxied->login(kAppUser, kAppPassword, &error, mysql::bits(caps))) << error;
            for (std::size_t i = 0; i < statements.size(); ++i) {
                EXPECT_EQ(with_state_changes_sorted(
                              reply_packets(*proxied, statements[i], mysql::bits(caps))),
                          with_state_changes_sorted(expected[i]))
                    << label << ": " << statements[i];
            }
        }
    }
}

TEST_F(Protocol, StockMariadbClientWorksThroughTheProxy) {
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    std::string out;
    const std::string cmd = std::string("MYSQL_PWD='") + kAppPassword +
                            "' mariadb --comments -N -B -h " + kProxyAddress + " -P " +
                            std::to_string(proxy.port()) + " -u " + kAppUser +
                            " -e \"/* sqlgate:route=direct */ SELECT @@server_id; SELECT 'a''b', "
                            "CONCAT('x', '--', 'y'); SHOW DATABASES LIKE 'mysql'\" 2>&1";
    ASSERT_EQ(run_command(cmd, &out), 0) << out;
    EXPECT_EQ(out, std::to_string(TestCluster::get().primary().server_id) + "\na'b\tx--y\nmysql\n");
}

}  // namespace
}  // namespace sqlgate::testing
