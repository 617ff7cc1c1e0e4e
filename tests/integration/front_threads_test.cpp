// The gatekeeper and the trusted host on two event-loop threads each, on a real cluster: what
// the threads share (rate limits, connection limits, the audit log, the figures) holds for the
// whole role, as with one thread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "eventually.hpp"
#include "harness/chain.hpp"
#include "harness/proxy_process.hpp"
#include "obs/admin_client.hpp"

namespace sqlgate::testing {
namespace {

constexpr const char* kTwoThreads = "\n[runtime]\nthreads = 2\n";

class FrontThreads : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }

    // Both fronts on two threads, the gatekeeper's admin listener open.
    ChainScenario two_threads() const {
        ChainScenario s;
        s.http = false;
        s.gatekeeper_toml = kTwoThreads + admin_toml(admin_, kGatekeeperAddress);
        s.trusted_host_toml = kTwoThreads;
        return s;
    }

    std::string metrics() const {
        const auto answer =
            obs::call_admin(admin_of(admin_, kGatekeeperAddress), "GET", "/metrics");
        EXPECT_EQ(answer.status, 200u);
        return answer.body;
    }
    double allowed_statements() const {
        return metric_sample(metrics(),
                             "sqlgate_front_statements_total{role=\"gatekeeper\",front=\"mysql\","
                             "verdict=\"allow\",kind=\"read\"}");
    }

    double accepted() const {
        return metric_sample(metrics(), "sqlgate_sessions_accepted_total{role=\"gatekeeper\"}");
    }

    const unsigned admin_ = next_port();
};

// Clients served on both threads at once, every statement counted in /metrics the moment it
// is answered (the figures of every thread are taken when /metrics is asked), and each
// audit record whole, however the two threads' records interleave.
TEST_F(FrontThreads, ClientsOnBothThreadsAreServedCountedAndAuditedTogether) {
    Chain chain(two_threads());
    ASSERT_TRUE(chain.gatekeeper_log().find(" threads=2 ") != std::string::npos)
        << chain.gatekeeper_log();
    const double before = allowed_statements();
    const double accepted_before = accepted();
    constexpr int kClients = 4;
    constexpr int kStatements = 50;
    std::atomic<int> failures{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&, i] {
            auto c = chain.connect();
            if (!c) {
                failures += kStatements;
                return;
            }
            for (int n = 0; n < kStatements; ++n) {
                const auto r = c->query("SELECT " + std::to_string(i * 1000 + n));
                if (!r.ok || r.scalar() != std::to_string(i * 1000 + n)) ++failures;
            }
        });
    }
    for (std::thread& t : clients)
        t.join();
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(allowed_statements() - before, kClients * kStatements);
    EXPECT_EQ(accepted() - accepted_before, kClients);
    // Every line of the audit log is one whole record.
    std::istringstream lines(chain.audit_log());
    int records = 0;
    for (std::string line; std::getline(lines, line);) {
        ASSERT_FALSE(line.empty());
        EXPECT_EQ(line.front(), '{') << line;
        EXPECT_EQ(line.back(), '}') << line;
        if (line.find("\"verdict\":\"allow\"") != std::string::npos) ++records;
    }
    EXPECT_GE(records, kClients * kStatements);
}

// A user's rate limit is the role's, not a thread's: two clients, one on each thread, share
// one bucket of eight (with a thread each it would let sixteen through).
TEST_F(FrontThreads, AUsersRateLimitCountsTheStatementsOfEveryThread) {
    ChainScenario s = two_threads();
    s.per_user_per_second = 0.2;
    s.per_user_burst = 8;
    Chain chain(s);
    auto first = chain.connect();
    auto second = chain.connect();  // the next thread in turn
    ASSERT_TRUE(first && second);
    int allowed = 0;
    int limited = 0;
    for (int i = 0; i < 12; ++i) {
        for (SqlClient* c : {first.get(), second.get()}) {
            const auto r = c->query("SELECT 1");
            if (r.ok) {
                ++allowed;
            } else if (r.error.find("rate_limit") != std::string::npos) {
                ++limited;
            } else {
                ADD_FAILURE() << r.error;
            }
        }
    }
    // Eight in the bucket, a token every five seconds: at most two more unless the loop takes
    // over ten seconds (a slow sanitizer build on a busy machine takes about one).
    EXPECT_LE(allowed, 10);
    EXPECT_GE(limited, 14);
}

// The connection limit per user holds across threads: with two allowed, a third client is
// refused wherever it lands, and a place freed on one thread serves a client on the other.
TEST_F(FrontThreads, TheConnectionLimitPerUserHoldsAcrossThreads) {
    ChainScenario s = two_threads();
    s.gatekeeper_listener_toml = "max_connections_per_user = 2\n";
    Chain chain(s);
    auto first = chain.connect();
    auto second = chain.connect();
    ASSERT_TRUE(first && second);
    std::string error;
    for (int i = 0; i < 2; ++i) {  // a refused client on each thread
        auto third = SqlClient::connect(chain.gatekeeper_client(), &error);
        EXPECT_FALSE(third) << "a third connection of the user was let in";
    }
    first.reset();
    std::unique_ptr<SqlClient> again;
    EXPECT_TRUE(eventually("a freed place is taken", std::chrono::seconds(3), [&] {
        again = SqlClient::connect(chain.gatekeeper_client(), &error);
        return again != nullptr;
    })) << error;
    ASSERT_TRUE(again);
    EXPECT_EQ(again->query("SELECT 2").scalar(), "2");
    EXPECT_EQ(second->query("SELECT 3").scalar(), "3");
}

}  // namespace
}  // namespace sqlgate::testing
