#include "proxy/proxy_runtime.hpp"

#include <gtest/gtest.h>

#include <set>

#include "mysql/auth.hpp"

namespace sqlgate::proxy {
namespace {

config::ProxyConfig config_with(std::vector<std::string> replicas) {
    config::ProxyConfig c;
    c.servers.push_back({"primary", "127.0.20.1", 3306, config::ServerRole::primary});
    for (std::size_t i = 0; i < replicas.size(); ++i) {
        c.servers.push_back(
            {replicas[i], "127.0.20." + std::to_string(i + 2), 3306, config::ServerRole::replica});
    }
    c.users.push_back({"app", mysql::native_password_hash("pw"), std::nullopt});
    return c;
}

std::unique_ptr<const config::ProxyConfig> next_config(config::ProxyConfig c) {
    return std::make_unique<const config::ProxyConfig>(std::move(c));
}

TEST(ProxyRuntimeReload, AddsRemovesAndBringsBackServersKeepingTheirSlots) {
    const config::ProxyConfig start = config_with({"replica-1"});
    ProxyRuntime runtime(start);
    BackendState* const replica_1 = &runtime.backends()[1];
    std::vector<std::string> ignored;

    auto added = runtime.reload(next_config(config_with({"replica-1", "replica-2"})), ignored);
    ASSERT_EQ(added.size(), 1u);
    EXPECT_EQ(added[0]->name, "replica-2");
    EXPECT_EQ(&runtime.backends()[1], replica_1);  // references held elsewhere stay valid
    EXPECT_TRUE(ignored.empty());

    // replica-2 stays at 127.0.20.3 (its slot), replica-1 goes.
    config::ProxyConfig without = config_with({"replica-2"});
    without.servers[1].address = "127.0.20.3";
    added = runtime.reload(next_config(without), ignored);
    EXPECT_TRUE(added.empty());
    EXPECT_TRUE(replica_1->removed);
    EXPECT_EQ(runtime.find_backend("replica-1"), nullptr);
    EXPECT_FALSE(runtime.backends()[2].removed);

    // Back again, in its old slot.
    added = runtime.reload(next_config(config_with({"replica-1", "replica-2"})), ignored);
    EXPECT_TRUE(added.empty());
    EXPECT_FALSE(replica_1->removed);
    EXPECT_EQ(runtime.backends().size(), 3u);
}

TEST(ProxyRuntimeReload, RefusedChangesChangeNothing) {
    const config::ProxyConfig start = config_with({"replica-1"});
    ProxyRuntime runtime(start);
    std::vector<std::string> ignored;
    config::ProxyConfig moved = config_with({"replica-1"});
    moved.servers[1].address = "127.0.20.99";
    moved.users[0].name = "someone-else";
    EXPECT_THROW(runtime.reload(next_config(moved), ignored), config::ConfigError);
    EXPECT_NE(runtime.find_user("app"), nullptr);  // the users were not replaced either
    EXPECT_EQ(runtime.find_user("someone-else"), nullptr);

    config::ProxyConfig no_primary = config_with({"replica-1"});
    no_primary.servers.erase(no_primary.servers.begin());
    no_primary.servers[0].role = config::ServerRole::primary;
    EXPECT_THROW(runtime.reload(next_config(no_primary), ignored), config::ConfigError);
    EXPECT_FALSE(runtime.backends()[0].removed);
    EXPECT_EQ(&runtime.config(), &start);
}

TEST(ProxyRuntimeReload, UsersAndRoutesChangeSessionsKeepTheirLogin) {
    const config::ProxyConfig start = config_with({"replica-1"});
    ProxyRuntime runtime(start);
    const auto logged_in = runtime.find_user("app");
    config::ProxyConfig next = config_with({"replica-1"});
    next.users = {{"app2", mysql::native_password_hash("pw2"), config::RouteStrategy::direct}};
    next.default_route = config::RouteStrategy::customized;
    next.listen_port = 4000;
    std::vector<std::string> ignored;
    runtime.reload(next_config(next), ignored);
    EXPECT_EQ(runtime.find_user("app"), nullptr);
    ASSERT_NE(runtime.find_user("app2"), nullptr);
    EXPECT_EQ(runtime.find_user("app2")->default_route, config::RouteStrategy::direct);
    EXPECT_EQ(logged_in->name, "app");  // still valid for the session that holds it
    EXPECT_EQ(runtime.config().default_route, config::RouteStrategy::customized);
    EXPECT_EQ(ignored, std::vector<std::string>{"listener address"});
}

}  // namespace
}  // namespace sqlgate::proxy

namespace sqlgate::proxy {
namespace {

// What a worker thread's runtime takes from the control thread's view, and what it keeps.
TEST(ProxyRuntimeThreads, AViewCarriesHealthAndThePrimaryButNotTheThreadsOwnFigures) {
    const config::ProxyConfig config = config_with({"replica-1", "replica-2"});
    ProxyRuntime control(config);
    ProxyRuntime worker(config);
    BackendState& seen = control.backends()[1];
    seen.ever_reached = true;
    seen.replication_lag_s = 2.5;
    seen.gtid_position = "0-1-42";
    seen.ping_ms.add(3, 1);
    control.promote(2);
    control.pause_writes(true);
    control.set_failover_status("failover in progress");
    BackendState& mine = worker.backends()[1];
    mine.statements[0] = 7;
    mine.in_flight = 1;
    mine.query_ms.add(9, 1);

    worker.apply(control.view());
    EXPECT_TRUE(mine.ever_reached);
    EXPECT_EQ(mine.replication_lag_s, 2.5);
    EXPECT_EQ(mine.gtid_position, "0-1-42");
    EXPECT_EQ(mine.ping_ms.value(), 3);
    EXPECT_EQ(worker.primary().name, "replica-2");
    EXPECT_TRUE(worker.backends()[0].fenced);
    EXPECT_TRUE(worker.writes_paused());
    EXPECT_EQ(worker.failover_status(), "failover in progress");
    // Its own sessions' figures stay its own.
    EXPECT_EQ(mine.statements[0], 7u);
    EXPECT_EQ(mine.in_flight, 1);
    EXPECT_EQ(mine.query_ms.value(), 9);
    EXPECT_EQ(mine.name, "replica-1");
}

TEST(ProxyRuntimeThreads, AViewFromBeforeAReloadNamesFewerServersAndIsTakenAsFarAsItGoes) {
    const config::ProxyConfig start = config_with({"replica-1"});
    ProxyRuntime control(start);
    ProxyRuntime worker(start);
    control.backends()[1].ever_reached = true;
    const ClusterView before = control.view();
    std::vector<std::string> ignored;
    worker.reload(next_config(config_with({"replica-1", "replica-2"})), ignored);
    worker.apply(before);
    EXPECT_TRUE(worker.backends()[1].ever_reached);
    EXPECT_FALSE(worker.backends()[2].ever_reached);
}

TEST(ProxyRuntimeThreads, FiguresOfEveryThreadAddUp) {
    const config::ProxyConfig config = config_with({"replica-1"});
    ProxyRuntime a(config);
    ProxyRuntime b(config);
    a.backends()[1].statements[2] = 3;
    a.backends()[1].latency.observe(0.001);
    a.counters().count(ProxyError::no_replica);
    ++a.counters().pins[1];
    b.backends()[1].statements[2] = 4;
    b.backends()[1].in_flight = 2;
    b.backends()[1].latency.observe(0.002);
    b.counters().count(ProxyError::no_replica);
    b.counters().route_latency[2].observe(0.002);
    ProxyTraffic all = a.traffic();
    all.add(b.traffic());
    EXPECT_EQ(all.servers[1].statements[2], 7u);
    EXPECT_EQ(all.servers[1].in_flight, 2);
    EXPECT_EQ(all.servers[1].latency.count(), 2u);
    EXPECT_DOUBLE_EQ(all.servers[1].latency.sum(), 0.003);
    EXPECT_EQ(all.counters.errors[static_cast<std::size_t>(ProxyError::no_replica)], 2u);
    EXPECT_EQ(all.counters.pins[1], 1u);
    EXPECT_EQ(all.counters.route_latency[2].count(), 1u);
}

TEST(ProxyRuntimeThreads, ConnectionIdsAreUniqueAcrossThreadsAndNameTheirThread) {
    const config::ProxyConfig config = config_with({});
    ProxyRuntime first(config);
    ProxyRuntime second(config);
    first.set_thread(0, 2, 1, nullptr);
    second.set_thread(1, 2, 1, nullptr);
    std::set<std::uint32_t> ids;
    for (int i = 0; i < 50; ++i) {
        const std::uint32_t x = first.next_connection_id();
        const std::uint32_t y = second.next_connection_id();
        EXPECT_EQ(first.thread_of(x), 0u);
        EXPECT_EQ(first.thread_of(y), 1u);
        EXPECT_NE(x, 0u);
        ids.insert(x);
        ids.insert(y);
    }
    EXPECT_EQ(ids.size(), 100u);
}

TEST(ProxyRuntimeThreads, EachThreadOpensItsShareOfTheConnectionLimit) {
    config::ProxyConfig config = config_with({"replica-1"});
    config.max_connections_per_server = 5;
    ProxyRuntime runtime(config);
    EXPECT_EQ(runtime.backends()[0].links->limit(), 5u);
    runtime.set_thread(1, 2, 2, nullptr);
    EXPECT_EQ(runtime.backends()[0].links->limit(), 2u);
    // The control thread serves no client next to workers: the share is of those that do.
    runtime.set_thread(1, 3, 2, nullptr);
    EXPECT_EQ(runtime.backends()[0].links->limit(), 2u);
    runtime.set_thread(1, 9, 8, nullptr);
    EXPECT_EQ(runtime.backends()[0].links->limit(), 1u);  // at least one
}

}  // namespace
}  // namespace sqlgate::proxy
