// Stopping a role: SIGTERM closes the listener, lets the statement a session is running
// finish and reach its client, ends idle sessions at once, and the process exits.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <future>

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

}  // namespace
}  // namespace sqlgate::testing
