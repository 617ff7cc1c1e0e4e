// One proxy running several event-loop threads, on a real cluster: clients are spread over
// the threads, and what crosses them (KILL, figures, the connection limit) behaves as with
// one thread.
#include <gtest/gtest.h>
#include <mysql.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "eventually.hpp"
#include "harness/proxy_process.hpp"
#include "obs/admin_client.hpp"

namespace sqlgate::testing {
namespace {

class Threads : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }

    static std::string metrics(unsigned admin) {
        const auto answer = obs::call_admin(admin_of(admin), "GET", "/metrics");
        EXPECT_EQ(answer.status, 200u);
        return answer.body;
    }

    // The sum of every sample of `family` (each server, each route).
    static double total(const std::string& text, const std::string& family) {
        double sum = 0;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind(family + "{", 0) != 0) continue;
            sum += std::stod(line.substr(line.rfind(' ') + 1));
        }
        return sum;
    }

    // With `threads = 2` the proxy runs three loops: the control thread (index 0, which
    // serves no client) and two workers; a connection id modulo 3 is its thread's index.
    static unsigned long thread_of(SqlClient& c) { return mysql_thread_id(c.handle()) % 3; }

    // Connects until a client lands on worker `index` (1 or 2: clients go to them in turn).
    static std::unique_ptr<SqlClient> on_thread(const ProxyProcess& proxy, unsigned long index) {
        for (int attempt = 0; attempt < 4; ++attempt) {
            auto c = proxy.connect();
            if (thread_of(*c) == index) return c;
        }
        ADD_FAILURE() << "no client reached thread " << index;
        return nullptr;
    }
};

TEST_F(Threads, ClientsOnEveryThreadAreServedAndCountedTogether) {
    const unsigned admin = next_port();
    ProxyProcess proxy({.threads = 2, .extra_toml = admin_toml(admin)});
    proxy.wait_until_replicas_serve();
    std::vector<std::unique_ptr<SqlClient>> clients;
    std::set<unsigned long> threads;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(proxy.connect());
        threads.insert(thread_of(*clients.back()));
    }
    EXPECT_EQ(threads, (std::set<unsigned long>{1, 2}))
        << "the clients were not spread over both workers (and none on the control thread)";
    EXPECT_TRUE(eventually("six sessions counted", std::chrono::seconds(3), [&] {
        return metric_sample(metrics(admin), "sqlgate_sessions_open{role=\"proxy\"}") >= 6;
    }));
    // Workers' figures reach the control thread within a publishing round (50 ms): the
    // baseline is taken once what the clients ran while logging in has arrived.
    double before = -1;
    EXPECT_TRUE(eventually("statement figures settled", std::chrono::seconds(3), [&] {
        const double seen = total(metrics(admin), "sqlgate_proxy_statements_total");
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        before = total(metrics(admin), "sqlgate_proxy_statements_total");
        return seen == before;
    }));
    std::set<std::string> servers;
    for (auto& c : clients) {
        for (int i = 0; i < 5; ++i) {
            const QueryResult r = c->query("SELECT @@server_id");
            ASSERT_TRUE(r.ok) << r.error;
            servers.insert(r.scalar());
        }
    }
    EXPECT_GE(servers.size(), 2u) << "reads were not spread over the replicas";
    EXPECT_TRUE(eventually("30 statements counted", std::chrono::seconds(3), [&] {
        return total(metrics(admin), "sqlgate_proxy_statements_total") - before == 30;
    })) << total(metrics(admin), "sqlgate_proxy_statements_total") - before;
    clients.clear();
    EXPECT_TRUE(eventually("no session left", std::chrono::seconds(3), [&] {
        return metric_sample(metrics(admin), "sqlgate_sessions_open{role=\"proxy\"}") == 0;
    }));
}

TEST_F(Threads, KillReachesASessionOnAnotherThread) {
    ProxyProcess proxy({.threads = 2});
    auto victim = on_thread(proxy, 1);
    auto killer = on_thread(proxy, 2);
    ASSERT_TRUE(victim && killer);
    expect_kill_query_interrupts(*victim, *killer);
    // And the other way round: the victim's thread kills the killer's session.
    ASSERT_TRUE(victim->query("KILL " + std::to_string(mysql_thread_id(killer->handle()))).ok);
    EXPECT_FALSE(killer->query("SELECT 1").ok);
    const QueryResult unknown = victim->query("KILL 4000000001");
    EXPECT_EQ(unknown.error_code, 1094u) << unknown.error;
    EXPECT_EQ(victim->query("SELECT 'victim fine'").scalar(), "victim fine");
    // Sessions, backend connections and KILL's own connection ran on the worker: none made
    // an Asio socket or timer there (the worker's ring reports one when it idles).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(proxy.log().find("asio_reactor_on_ring_thread"), std::string::npos) << proxy.log();
}

// max_connections_per_server is the process's limit: each of two threads opens its half.
TEST_F(Threads, TheConnectionLimitHoldsForTheWholeProcess) {
    const unsigned admin = next_port();
    ProxyProcess proxy({.threads = 2,
                        .extra_toml = admin_toml(admin),
                        .backend_toml = "max_connections_per_server = 2\n"
                                        "connection_wait_timeout_ms = 400\n"});
    auto first = on_thread(proxy, 1);
    auto second = on_thread(proxy, 2);
    ASSERT_TRUE(first && second);
    for (auto* c : {first.get(), second.get()}) {
        ASSERT_TRUE(c->query("BEGIN").ok);
        ASSERT_TRUE(c->query("SELECT 1").ok);  // holds a primary connection until COMMIT
    }
    auto third = proxy.connect();
    const QueryResult waited = third->query("BEGIN");
    const QueryResult refused = waited.ok ? third->query("SELECT 2") : waited;
    EXPECT_FALSE(refused.ok);
    EXPECT_NE(refused.error.find("busy"), std::string::npos) << refused.error;
    EXPECT_TRUE(eventually("two primary connections counted", std::chrono::seconds(3), [&] {
        return metric_sample(metrics(admin),
                             "sqlgate_proxy_backend_connections{server=\"primary\"}") == 2;
    }));
    ASSERT_TRUE(first->query("COMMIT").ok);
    ASSERT_TRUE(second->query("COMMIT").ok);
    const QueryResult after = third->query("SELECT 3");
    EXPECT_TRUE(after.ok) << after.error;
}

}  // namespace
}  // namespace sqlgate::testing
