// SIGHUP: the proxy re-reads its configuration and applies users, routes and the set of
// replicas while its sessions go on; a configuration it cannot use leaves the one in force.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "eventually.hpp"
#include "harness/chain.hpp"
#include "harness/proxy_process.hpp"
#include "mysql/auth.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

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

// The front roles do not reload yet: SIGHUP is logged there, never the end of them.
TEST(Reload, SighupNeverStopsAFrontRole) {
    Chain chain;
    auto c = chain.connect();
    ASSERT_TRUE(c);
    ::kill(chain.gatekeeper_pid(), SIGHUP);
    ::kill(chain.trusted_host_pid(), SIGHUP);
    ASSERT_TRUE(eventually(
        "both logged it", 5s,
        [&] {
            return chain.gatekeeper_log().find("event=reload_unsupported") != std::string::npos &&
                   chain.trusted_host_log().find("event=reload_unsupported") != std::string::npos;
        }))
        << chain.gatekeeper_log() << chain.trusted_host_log();
    EXPECT_TRUE(chain.all_running());
    EXPECT_EQ(c->query("SELECT 41 + 1").scalar(), "42");
}

}  // namespace
}  // namespace sqlgate::testing
