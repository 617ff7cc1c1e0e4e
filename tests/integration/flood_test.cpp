// Pre-authentication floods against the gatekeeper's MySQL port: connections that never
// speak, from many source addresses, cannot keep a legitimate client out.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "harness/chain.hpp"
#include "obs/admin_client.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kFloodConnections = 10'000;
constexpr int kFloodSources = 100;  // 127.0.62.1 .. 127.0.62.100

// Opens `count` connections to address:port that never send a byte, from `sources` loopback
// addresses in turn, without waiting for any to be accepted; closes them when destroyed.
class SilentFlood {
  public:
    SilentFlood(const std::string& address, unsigned port, int count, int sources) {
        sockaddr_in target{};
        target.sin_family = AF_INET;
        target.sin_port = htons(static_cast<std::uint16_t>(port));
        inet_pton(AF_INET, address.c_str(), &target.sin_addr);
        for (int i = 0; i < count; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0) break;  // out of descriptors: the flood is what it could open
            sockaddr_in source{};
            source.sin_family = AF_INET;
            const std::string from = "127.0.62." + std::to_string(i % sources + 1);
            inet_pton(AF_INET, from.c_str(), &source.sin_addr);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
                ::close(fd);
                continue;
            }
            ::connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target);  // in progress
            fds_.push_back(fd);
        }
    }
    ~SilentFlood() {
        for (const int fd : fds_)
            ::close(fd);
    }
    std::size_t size() const { return fds_.size(); }

  private:
    std::vector<int> fds_;
};

// Descriptors for the flood and everything else the test holds.
void raise_descriptor_limit() {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values.at(index);
}

// What a legitimate client saw while a flood of silent connections held one port.
struct FloodOutcome {
    std::size_t opened = 0;  // flood connections
    std::vector<double> ok_ms;
    int failures = 0;
    std::string last_error;
    std::string metrics;  // the gatekeeper's /metrics afterwards
};

class Flood : public ::testing::Test {
  protected:
    void SetUp() override {
        TestCluster::get();
        raise_descriptor_limit();
        ChainScenario scenario;
        scenario.gatekeeper_toml = admin_toml(admin_port_, kGatekeeperAddress);
        scenario.gatekeeper_listener_toml = extra_listener_toml();
        chain_.emplace(scenario);
    }
    // SQLGATE_FLOOD_TOML: more [listener] keys for the gatekeeper, to see the tests fail
    // without the budget (max_unauthenticated = 0).
    static std::string extra_listener_toml() {
        const char* extra = std::getenv("SQLGATE_FLOOD_TOML");
        return extra != nullptr ? std::string("\n") + extra + "\n" : std::string();
    }

    // Floods `port` with 10,000 silent connections from 100 addresses for 8 s while
    // `attempt` (a login and a statement; the error, or "" when it worked) runs every 100 ms.
    FloodOutcome flood(unsigned port, const std::function<std::string()>& attempt) {
        FloodOutcome out;
        std::atomic<bool> flooding{true};
        std::thread attacker([&] {
            SilentFlood flood(kGatekeeperAddress, port, kFloodConnections, kFloodSources);
            out.opened = flood.size();
            while (flooding)
                std::this_thread::sleep_for(50ms);
        });
        const auto until = Clock::now() + 8s;
        while (Clock::now() < until) {
            const auto started = Clock::now();
            const std::string error = attempt();
            if (error.empty()) {
                out.ok_ms.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - started).count());
            } else {
                ++out.failures;
                out.last_error = error;
            }
            std::this_thread::sleep_until(started + 100ms);
        }
        flooding = false;
        attacker.join();
        out.metrics =
            obs::call_admin(admin_of(admin_port_, kGatekeeperAddress), "GET", "/metrics").body;
        return out;
    }

    // Every attempt worked, and the budget met the flood; prints the figures.
    void expect_withstood(const FloodOutcome& out, const std::string& listener) {
        EXPECT_GE(out.opened, static_cast<std::size_t>(kFloodConnections) * 9 / 10);
        EXPECT_EQ(out.failures, 0) << "last error: " << out.last_error;
        ASSERT_FALSE(out.ok_ms.empty());
        const auto refused = [&](const std::string& reason) {
            const std::string series =
                "sqlgate_connections_refused_total{role=\"gatekeeper\","
                "listener=\"" +
                listener + "\",reason=\"" + reason + "\"} ";
            const std::size_t at = out.metrics.find(series);
            return at == std::string::npos ? 0.0
                                           : std::stod(out.metrics.substr(at + series.size()));
        };
        std::printf(
            "%s: flood of %zu silent connections; %zu logins with a statement, p50 %.1f ms, p99 "
            "%.1f ms, max %.1f ms; refused per source %.0f, evicted %.0f, at the limit %.0f\n",
            listener.c_str(), out.opened, out.ok_ms.size(), percentile(out.ok_ms, 0.5),
            percentile(out.ok_ms, 0.99), *std::max_element(out.ok_ms.begin(), out.ok_ms.end()),
            refused("pre_auth_source_limit"), refused("pre_auth_evicted"),
            refused("connection_limit"));
        RecordProperty("login_p99_ms", std::to_string(percentile(out.ok_ms, 0.99)));
        EXPECT_GT(refused("pre_auth_source_limit") + refused("pre_auth_evicted"), 0) << out.metrics;
    }

    const unsigned admin_port_ = next_port();
    std::optional<Chain> chain_;
};

// 10,000 silent connections from 100 addresses while a client logs in every 100 ms: every
// login succeeds and runs its statement, with the default settings.
TEST_F(Flood, SilentConnectionsDoNotKeepAClientFromTheMysqlPort) {
    ASSERT_TRUE(chain_->connect());  // the chain works before the flood
    const FloodOutcome out = flood(chain_->gatekeeper_port(), [&]() -> std::string {
        std::string error;
        auto c = SqlClient::connect(chain_->gatekeeper_client(), &error);
        if (!c) return error;
        return c->query("SELECT 1").scalar() == "1" ? "" : "SELECT 1 failed";
    });
    expect_withstood(out, "mysql");
}

// The same against the HTTPS API: each call a new connection (curl), a statement answered.
TEST_F(Flood, SilentConnectionsDoNotKeepAClientFromTheHttpsApi) {
    const std::string body = R"({"sql": "SELECT 1"})";
    ASSERT_EQ(chain_->http("POST", "/fetch_direct", body).status, 200);
    const FloodOutcome out = flood(chain_->http_port(), [&]() -> std::string {
        const HttpAnswer answer = chain_->http("POST", "/fetch_direct", body);
        return answer.status == 200 ? "" : std::to_string(answer.status) + " " + answer.body;
    });
    expect_withstood(out, "http");
}

}  // namespace
}  // namespace sqlgate::testing
