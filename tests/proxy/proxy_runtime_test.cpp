#include "proxy/proxy_runtime.hpp"

#include <gtest/gtest.h>

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
