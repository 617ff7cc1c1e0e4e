// SIGHUP: the proxy re-reads its configuration and applies users, routes and the set of
// replicas while its sessions go on; a configuration it cannot use leaves the one in force.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "eventually.hpp"
#include "harness/chain.hpp"
#include "harness/proxy_process.hpp"
#include "mysql/auth.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;

TEST(Reload, SighupAppliesUsersAndReplicasWithoutFailingAStatement) {
    const TestCluster& cluster = TestCluster::get();
    const auto& nodes = cluster.nodes();  // primary, replica-1, replica-2, replica-3
    auto entry = [](const ClusterNode& n) {
        return ProxyServerEntry{n.name, n.host, n.port, n.name == "primary"};
    };
    ProxyScenario scenario;
    scenario.servers = {entry(nodes[0]), entry(nodes[1])};
    ProxyProcess proxy(scenario);
    proxy.wait_until_replicas_serve();
    auto session = proxy.connect();
    ASSERT_TRUE(session);

    // Statements run the whole time; none may fail because of a reload.
    std::atomic<bool> stop = false;
    std::atomic<int> failed = 0;
    std::atomic<int> ran = 0;
    std::thread load([&] {
        auto c = proxy.connect();
        while (!stop && c) {
            if (!c->query("SELECT @@server_id").ok) ++failed;
            ++ran;
        }
    });

    // Two more replicas and a new user.
    ProxyScenario next = scenario;
    next.servers = {entry(nodes[0]), entry(nodes[1]), entry(nodes[2]), entry(nodes[3])};
    next.extra_toml = "\n[[users]]\nname = \"app2\"\npassword_hash = \"" +
                      mysql::native_password_hash("app2-password") + "\"\n";
    proxy.rewrite_config(next);
    proxy.signal(SIGHUP);
    ASSERT_TRUE(eventually("the first reload", 5s, [&] {
        return count_of(proxy.log(), "event=config_reloaded") == 1;
    })) << proxy.log();
    ConnectOptions second = proxy.client_options();
    second.user = "app2";
    second.password = "app2-password";
    std::string error;
    EXPECT_TRUE(SqlClient::connect(second, &error)) << error;
    EXPECT_TRUE(eventually("a read served by the added replica-3", 10s, [&] {
        return session->server_id("/* sqlgate:route=random */ ") == nodes[3].server_id;
    })) << proxy.log();

    // replica-1 taken out: no read goes there any more.
    next.servers = {entry(nodes[0]), entry(nodes[2]), entry(nodes[3])};
    proxy.rewrite_config(next);
    proxy.signal(SIGHUP);
    ASSERT_TRUE(eventually("the second reload", 5s, [&] {
        return count_of(proxy.log(), "event=config_reloaded") == 2;
    })) << proxy.log();
    for (int i = 0; i < 30; ++i) {
        const int id = session->server_id("/* sqlgate:route=random */ ");
        EXPECT_NE(id, 0);
        EXPECT_NE(id, nodes[1].server_id);
    }

    // A configuration that does not parse: logged, and the one in force goes on.
    next.extra_toml += "\n[listener]\nport = 1\n";  // a second [listener] table
    proxy.rewrite_config(next);
    proxy.signal(SIGHUP);
    ASSERT_TRUE(eventually("the failed reload logged", 5s, [&] {
        return proxy.log().find("event=reload_failed") != std::string::npos;
    })) << proxy.log();
    EXPECT_NE(proxy.log().find("proxy.toml:"), std::string::npos) << proxy.log();
    EXPECT_TRUE(proxy.running());
    EXPECT_TRUE(SqlClient::connect(second, &error)) << error;
    EXPECT_EQ(session->query("SELECT 41 + 1").scalar(), "42");

    stop = true;
    load.join();
    EXPECT_GT(ran.load(), 0);
    EXPECT_EQ(failed.load(), 0) << proxy.log();
}

// The gatekeeper reloads its users and rate limits, the trusted host its users: sessions
// open before go on, new logins and statements see the new file.
TEST(Reload, SighupAppliesTheFrontRolesUsersAndRateLimits) {
    ChainScenario scenario;
    scenario.per_user_per_second = 1000;
    scenario.per_user_burst = 1000;
    Chain chain(scenario);
    auto app = chain.connect();
    auto reader = chain.connect(kReaderUser, kReaderPassword);
    ASSERT_TRUE(app && reader);
    const std::string file = chain.config_dir() + "/gatekeeper.toml";
    replace_in_file(file, "per_user_per_second = 1000", "per_user_per_second = 1");
    replace_in_file(file, "per_user_burst = 1000", "per_user_burst = 2");
    replace_in_file(file, mysql::native_password_hash(kReaderPassword),
                    mysql::native_password_hash("new-reader-password"));
    ::kill(chain.gatekeeper_pid(), SIGHUP);
    ASSERT_TRUE(eventually("the gatekeeper reloaded", 5s, [&] {
        return chain.gatekeeper_log().find("event=config_reloaded") != std::string::npos;
    })) << chain.gatekeeper_log();

    int limited = 0;
    for (int i = 0; i < 5; ++i) {
        const auto r = app->query("SELECT 1");
        if (!r.ok && r.error.find("rate_limit") != std::string::npos) ++limited;
    }
    EXPECT_GE(limited, 2) << "the new rate limit (1/s, burst 2) did not apply";
    std::string error;
    EXPECT_TRUE(
        SqlClient::connect(chain.gatekeeper_client(kReaderUser, "new-reader-password"), &error))
        << error;
    EXPECT_FALSE(SqlClient::connect(chain.gatekeeper_client(kReaderUser, kReaderPassword)));
    EXPECT_TRUE(reader->query("SELECT 1").ok);  // logged in before: goes on

    ::kill(chain.trusted_host_pid(), SIGHUP);
    EXPECT_TRUE(eventually("the trusted host reloaded", 5s, [&] {
        return chain.trusted_host_log().find("event=config_reloaded") != std::string::npos;
    })) << chain.trusted_host_log();

    // A file that does not parse: logged, the one in force goes on.
    replace_in_file(file, "[listener]", "[listener]\n[listener]");
    ::kill(chain.gatekeeper_pid(), SIGHUP);
    EXPECT_TRUE(eventually("the failed reload logged", 5s, [&] {
        return chain.gatekeeper_log().find("event=reload_failed") != std::string::npos;
    })) << chain.gatekeeper_log();
    EXPECT_TRUE(chain.all_running());
    EXPECT_TRUE(
        SqlClient::connect(chain.gatekeeper_client(kReaderUser, "new-reader-password"), &error))
        << error;
}

}  // namespace
}  // namespace sqlgate::testing
