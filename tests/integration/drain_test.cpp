// Stopping a role: SIGTERM closes the listener, lets the statement a session is running
// finish and reach its client, ends idle sessions at once, and the process exits.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <future>
#include <thread>

#include "eventually.hpp"
#include "harness/proxy_process.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;

TEST(Drain, SigtermLetsTheRunningStatementFinishThenTheProxyExits) {
    const TestCluster& cluster = TestCluster::get();
    ProxyProcess proxy({});
    auto busy = proxy.connect();
    auto idle = proxy.connect();
    ASSERT_TRUE(busy && idle);
    // On the primary, where the test can see it running.
    auto running = std::async(std::launch::async, [&] {
        return busy->query("/* sqlgate:route=direct */ SELECT SLEEP(1.5), 'drained'");
    });
    ASSERT_TRUE(eventually("the SLEEP running on the primary", 5s, [&] {
        return cluster.admin_sql(cluster.primary(),
                                 "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                 "WHERE INFO LIKE '%SLEEP(1.5)%' AND INFO NOT LIKE "
                                 "'%PROCESSLIST%'") == "1";
    }));

    proxy.signal(SIGTERM);
    // No new clients, even while the old one is still being served.
    ASSERT_TRUE(eventually("the listener closed", 2s, [&] { return !port_listens(proxy.port()); }));
    EXPECT_TRUE(proxy.running());
    const QueryResult result = running.get();
    ASSERT_TRUE(result.ok) << result.error;
    ASSERT_EQ(result.rows.size(), 1u);
    EXPECT_EQ(result.rows[0].at(1), "drained");
    EXPECT_TRUE(eventually("the proxy exited", 5s, [&] { return !proxy.running(); }))
        << proxy.log();
    EXPECT_NE(proxy.log().find("event=stopping"), std::string::npos);
    EXPECT_EQ(proxy.log().find("drain_timeout"), std::string::npos) << proxy.log();
}

// A client in the middle of a transaction may finish it: the session ends after the COMMIT,
// not before (which would roll the transaction back).
TEST(Drain, SigtermLetsAnOpenTransactionFinishThenClosesTheSession) {
    const TestCluster& cluster = TestCluster::get();
    cluster.admin_sql(cluster.primary(),
                      "CREATE DATABASE IF NOT EXISTS itest; DROP TABLE IF EXISTS itest.drained; "
                      "CREATE TABLE itest.drained (a INT) ENGINE=InnoDB");
    ProxyProcess proxy({});
    auto tx = proxy.connect();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tx->query("BEGIN").ok);
    ASSERT_TRUE(tx->query("INSERT INTO itest.drained VALUES (7)").ok);

    proxy.signal(SIGTERM);
    ASSERT_TRUE(eventually("the listener closed", 2s, [&] { return !port_listens(proxy.port()); }));
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(proxy.running()) << "the proxy did not wait for the open transaction";
    const auto more = tx->query("INSERT INTO itest.drained VALUES (8)");
    ASSERT_TRUE(more.ok) << more.error;
    const auto commit = tx->query("COMMIT");
    ASSERT_TRUE(commit.ok) << commit.error;
    EXPECT_TRUE(eventually("the proxy exited", 5s, [&] { return !proxy.running(); }))
        << proxy.log();
    EXPECT_EQ(cluster.admin_sql(cluster.primary(),
                                "SELECT COUNT(*) FROM itest.drained WHERE a IN (7, 8)"),
              "2");
    EXPECT_EQ(proxy.log().find("drain_timeout"), std::string::npos) << proxy.log();
}

}  // namespace
}  // namespace sqlgate::testing
