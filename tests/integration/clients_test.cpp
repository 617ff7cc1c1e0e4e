// Drivers written by others, through the proxy: mysql2 and MariaDB Connector/Node.js
// (tests/clients/node), each with its own protocol code for text queries, prepared
// statements, transactions and pools (the MariaDB connector pipelines its commands).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "harness/proxy_process.hpp"

namespace sqlgate::testing {
namespace {

using nlohmann::json;

class Clients : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override { TestCluster::get(); }
};

std::set<int> servers_in(const json& list) {
    std::set<int> s;
    for (const auto& v : list)
        s.insert(v.get<int>());
    return s;
}

TEST_P(Clients, NodeDriverTextPreparedTransactionsAndPools) {
    const std::string driver = GetParam();
    const std::string client_dir = source_dir() + "/tests/clients/node";
    // scripts/setup.sh installs it from the lock file; without it this test cannot run.
    ASSERT_TRUE(std::filesystem::exists(client_dir + "/node_modules/" + driver))
        << driver << " is not installed: run scripts/setup.sh (npm ci in " << client_dir << ")";
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    const std::string password_file = scratch_dir("clients") + "/app.password";
    std::ofstream(password_file) << kAppPassword;
    std::string output;
    const int status = run_command("node " + client_dir + "/client.mjs " + driver + " " +
                                       kProxyAddress + " " + std::to_string(proxy.port()) + " " +
                                       kAppUser + " " + password_file + " 2>&1",
                                   &output);
    std::filesystem::remove(password_file);
    ASSERT_EQ(status, 0) << output << "\nproxy log:\n" << proxy.log();
    const json out = json::parse(output, nullptr, false);
    ASSERT_FALSE(out.is_discarded()) << output;

    const int primary = TestCluster::get().primary().server_id;
    for (const char* reads : {"text_servers", "prepared_servers", "pool_servers"}) {
        const auto servers = servers_in(out.at(reads));
        EXPECT_FALSE(servers.contains(primary)) << reads << ": a read reached the primary";
        EXPECT_GE(servers.size(), 2u) << reads << ": reads were not spread";
    }
    EXPECT_TRUE(out.at("prepared_values_ok").get<bool>());
    EXPECT_TRUE(out.at("pool_values_ok").get<bool>());
    // Each prepared read right after a prepared write saw it, on a replica.
    EXPECT_TRUE(out.at("read_your_writes_ok").get<bool>());
    EXPECT_FALSE(servers_in(out.at("read_after_write_servers")).contains(primary));
    EXPECT_EQ(out.at("transaction_server").get<int>(), primary);
    EXPECT_EQ(out.at("transaction_count").get<int>(), 10);
    EXPECT_EQ(out.at("missing_table_error").get<int>(), 1146);
    EXPECT_EQ(out.at("unknown_route_error").get<int>(), 1210);
    EXPECT_TRUE(out.at("usable_after_errors").get<bool>());
}

INSTANTIATE_TEST_SUITE_P(Node, Clients, ::testing::Values("mysql2", "mariadb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace sqlgate::testing
