// Pipelining on a real cluster: reads of several clients written back to back on one replica
// connection each get their own answer, text and prepared; a read whose warnings another
// session's read then cleared from the connection still answers SHOW WARNINGS with its own;
// and a client that leaves in the middle of its reply costs the reads behind it nothing.
#include <gtest/gtest.h>
#include <mysql.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "eventually.hpp"
#include "harness/proxy_process.hpp"
#include "harness/sql_statement.hpp"
#include "obs/admin_client.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;

class Pipelining : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }

    // The primary and one replica, one event-loop thread (so the clients share its pool),
    // one connection per server: every read goes to the same replica connection.
    static ProxyScenario one_replica_connection(unsigned admin_port, int depth) {
        const TestCluster& cluster = TestCluster::get();
        ProxyScenario scenario{
            .threads = 1,
            .extra_toml = admin_toml(admin_port),
            .backend_toml =
                "max_connections_per_server = 1\nconnection_wait_timeout_ms = 5000\n"
                "pipeline_depth = " +
                std::to_string(depth) + "\n"};
        const ClusterNode& primary = cluster.primary();
        const ClusterNode& replica = cluster.nodes().at(1);
        scenario.servers.push_back({primary.name, primary.host, primary.port, true});
        scenario.servers.push_back({replica.name, replica.host, replica.port, false});
        return scenario;
    }

    // A proxy at depth 4 as above, ready, and two of its clients.
    struct TwoClients {
        unsigned admin = next_port();
        ProxyProcess proxy{one_replica_connection(admin, 4)};
        std::unique_ptr<SqlClient> first;
        std::unique_ptr<SqlClient> second;
        TwoClients() {
            proxy.wait_until_replicas_serve();
            first = proxy.connect();
            second = proxy.connect();
        }
    };

    static double pipelined(unsigned admin_port) {
        const auto metrics = obs::call_admin(admin_of(admin_port), "GET", "/metrics");
        EXPECT_EQ(metrics.status, 200u);
        return metric_sample(metrics.body, "sqlgate_proxy_pipelined_statements_total");
    }
};

TEST_F(Pipelining, ReadsOfManyClientsOnOneConnectionEachGetTheirOwnAnswer) {
    const unsigned admin = next_port();
    ProxyProcess proxy(one_replica_connection(admin, 8));
    proxy.wait_until_replicas_serve();
    constexpr int kClients = 8;
    constexpr int kRounds = 150;
    std::atomic<int> wrong{0};
    std::atomic<int> failed{0};
    std::mutex first_error_mutex;
    std::string first_error;
    const auto note = [&](const std::string& error) {
        ++failed;
        const std::lock_guard lock(first_error_mutex);
        if (first_error.empty()) first_error = error;
    };
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            auto client = proxy.connect();
            if (!client) {
                ++failed;
                return;
            }
            // Half the clients use prepared statements: their executes follow on the
            // connection where the statement was prepared by whoever came first.
            std::unique_ptr<SqlStatement> statement;
            if (c % 2 == 1) {
                statement = std::make_unique<SqlStatement>(*client, "SELECT ?, ?, REPEAT('x', ?)");
                if (!statement->prepared()) {
                    ++failed;
                    return;
                }
            }
            for (int round = 0; round < kRounds; ++round) {
                // Replies of different lengths, the text ones some larger than one read of
                // the socket (the harness fetches a prepared row's values into 256 bytes).
                const int width = (round * 37 + c * 101) % (statement ? 200 : 40'000);
                const std::string mine = std::to_string(c);
                const std::string count = std::to_string(round);
                std::vector<std::string> row;
                if (statement) {
                    if (!statement->bind({c, round, width})) {
                        note("bind: " + statement->error());
                        return;
                    }
                    const auto rows = statement->run();
                    if (!rows || rows->size() != 1) {
                        note("execute: " + statement->error());
                        continue;
                    }
                    row = rows->front();
                } else {
                    const QueryResult r =
                        client->query("SELECT " + mine + ", " + count + ", REPEAT('x', " +
                                      std::to_string(width) + ")");
                    if (!r.ok || r.rows.size() != 1) {
                        note("query: " + r.error);
                        continue;
                    }
                    for (const auto& value : r.rows[0])
                        row.push_back(value.value_or("NULL"));
                }
                if (row.size() != 3 || row[0] != mine || row[1] != count ||
                    row[2].size() != static_cast<std::size_t>(width)) {
                    ++wrong;
                }
            }
        });
    }
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(failed.load(), 0) << first_error;
    EXPECT_EQ(wrong.load(), 0);
    // They really shared the connection back to back, and never opened a second one.
    EXPECT_GT(pipelined(admin), 0);
    const auto metrics = obs::call_admin(admin_of(admin), "GET", "/metrics");
    EXPECT_LE(metric_sample(metrics.body, "sqlgate_proxy_backend_connections{server=\"" +
                                              TestCluster::get().nodes().at(1).name + "\"}"),
              1)
        << metrics.body;
}

TEST_F(Pipelining, NothingIsPipelinedAtDepthOne) {
    const unsigned admin = next_port();
    ProxyProcess proxy(one_replica_connection(admin, 1));
    proxy.wait_until_replicas_serve();
    std::vector<std::thread> clients;
    std::atomic<int> failed{0};
    for (int c = 0; c < 4; ++c) {
        clients.emplace_back([&] {
            auto client = proxy.connect();
            for (int round = 0; round < 50; ++round) {
                if (!client || !client->query("SELECT 1").ok) ++failed;
            }
        });
    }
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(pipelined(admin), 0);
}

TEST_F(Pipelining, AReadsWarningsSurviveAnotherSessionsReadBehindIt) {
    TwoClients setup;
    auto& slow = setup.first;
    auto& other = setup.second;
    ASSERT_TRUE(slow && other);
    for (const char* sql : {"CREATE DATABASE IF NOT EXISTS pipelining",
                            "CREATE TABLE IF NOT EXISTS pipelining.t (id INT PRIMARY KEY, "
                            "s VARCHAR(10))",
                            "REPLACE INTO pipelining.t VALUES (1, '12abc')"}) {
        ASSERT_TRUE(slow->query(sql).ok) << sql;
    }
    ASSERT_TRUE(eventually("the replica has the table", 10s, [&] {
        const QueryResult r = other->query("SELECT s FROM pipelining.t WHERE id = 1");
        return r.ok && r.rows.size() == 1;
    }));
    const double before = pipelined(setup.admin);
    // The slow read leaves a warning; while it sleeps, the other client's read is written
    // behind it on the same connection and runs right after it there. A statement that
    // uses a table clears the diagnostics of the one before.
    std::thread reader([&] {
        const QueryResult r =
            slow->query("SELECT CAST(s AS SIGNED) AS v, SLEEP(0.4) FROM pipelining.t");
        EXPECT_TRUE(r.ok) << r.error;
    });
    std::this_thread::sleep_for(150ms);
    const QueryResult clean = other->query("SELECT id FROM pipelining.t");
    reader.join();
    ASSERT_TRUE(clean.ok) << clean.error;
    ASSERT_EQ(pipelined(setup.admin), before + 1);  // it followed: the warning is gone from there
    // The other client's read left none.
    const QueryResult none = other->query("SHOW WARNINGS");
    ASSERT_TRUE(none.ok) << none.error;
    EXPECT_TRUE(none.rows.empty());
    const QueryResult warnings = slow->query("SHOW WARNINGS");
    ASSERT_TRUE(warnings.ok) << warnings.error;
    ASSERT_EQ(warnings.rows.size(), 1u);
    EXPECT_EQ(warnings.rows[0].at(1).value_or(""), "1292");
    EXPECT_NE(warnings.rows[0].at(2).value_or("").find("12abc"), std::string::npos);
    // Asked again: still its own, from the connection the session now keeps.
    const QueryResult again = slow->query("SHOW WARNINGS");
    ASSERT_TRUE(again.ok) << again.error;
    EXPECT_EQ(again.rows.size(), 1u);
}

TEST_F(Pipelining, AClientLeavingDuringItsReplyCostsTheReadsBehindItNothing) {
    TwoClients setup;
    auto& leaving = setup.first;
    auto& behind = setup.second;
    ASSERT_TRUE(leaving && behind);
    // The first client asks for a large slow reply and is killed from the server side of
    // the proxy's view: its connection is shut while its read sleeps; the read written
    // behind it must still get its answer (on that connection, or retried on another).
    std::thread first([&] {
        leaving->query("SELECT SLEEP(0.4), REPEAT('y', 1000000)");  // may fail: it is cut
    });
    std::this_thread::sleep_for(150ms);
    std::thread second([&] {
        const QueryResult r = behind->query("SELECT 'behind'");
        EXPECT_TRUE(r.ok) << r.error;
        if (r.ok) {
            EXPECT_EQ(r.rows.at(0).at(0).value_or(""), "behind");
        }
    });
    std::this_thread::sleep_for(100ms);
    ::shutdown(mysql_get_socket(leaving->handle()), SHUT_RDWR);
    first.join();
    second.join();
    EXPECT_EQ(pipelined(setup.admin), 1);
    // The proxy goes on serving.
    auto later = setup.proxy.connect();
    ASSERT_TRUE(later);
    EXPECT_TRUE(later->query("SELECT 1").ok);
}

}  // namespace
}  // namespace sqlgate::testing
