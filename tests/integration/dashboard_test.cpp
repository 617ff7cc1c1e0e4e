// The dashboard in a real browser: Debian's chromium, driven by Playwright
// (tests/browser/dashboard_check.mjs), against the gatekeeper's admin listener with the
// trusted host's and the proxy's as peers: every node of the chain drawn, reads moving under
// a load, a killed replica drawn down within 2 s, no console error; and a screenshot
// (SQLGATE_DASHBOARD_SCREENSHOT names where, for docs/dashboard.png).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "eventually.hpp"
#include "harness/chain.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The Playwright script, fed commands on its stdin; its results come back through a file.
class BrowserCheck {
  public:
    BrowserCheck(const std::string& url, const std::vector<std::string>& servers)
        : results_(scratch_dir("dashboard") + "/results.jsonl") {
        std::ostringstream command;
        command << "node '" << source_dir() << "/tests/browser/dashboard_check.mjs' '" << url
                << "' '" << results_ << "'";
        for (const std::string& s : servers)
            command << " " << s;
        command << " > '" << results_ << ".log' 2>&1";
        pipe_ = ::popen(command.str().c_str(), "w");
    }
    ~BrowserCheck() {
        if (pipe_ != nullptr) ::pclose(pipe_);
    }
    bool started() const { return pipe_ != nullptr; }

    void send(const std::string& command) {
        std::fputs(command.c_str(), pipe_);
        std::fputc('\n', pipe_);
        std::fflush(pipe_);
    }
    // The result of step `step` (the `n`th such line), waiting up to `within`.
    json result(const std::string& step, std::chrono::seconds within = 30s) {
        json found;
        eventually("browser step " + step, within, [&] {
            std::ifstream in(results_);
            for (std::string line; std::getline(in, line);) {
                const json r = json::parse(line, nullptr, false);
                if (!r.is_discarded() && r.value("step", "") == step) {
                    found = r;
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    std::string log() const {
        std::ifstream in(results_ + ".log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

  private:
    std::string results_;
    FILE* pipe_ = nullptr;
};

TEST(Dashboard, ShowsTheChainReadsMovingAndAKilledReplicaInRed) {
    TestCluster& cluster = TestCluster::get();
    const unsigned gatekeeper_admin = next_port();
    const unsigned trusted_host_admin = next_port();
    const unsigned proxy_admin = next_port();
    ChainScenario scenario;
    scenario.proxy_toml = admin_toml(proxy_admin, kProxyAddress);
    scenario.trusted_host_toml = admin_toml(trusted_host_admin, kTrustedHostAddress);
    scenario.gatekeeper_toml =
        admin_toml(gatekeeper_admin, kGatekeeperAddress,
                   {admin_of(trusted_host_admin, kTrustedHostAddress), admin_of(proxy_admin)});
    Chain chain(scenario);
    auto c = chain.connect();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->query("SELECT 1").ok);
    // A refusal for the dashboard's list (its digest only).
    EXPECT_FALSE(c->query("SELECT user FROM mysql.user").ok);

    std::vector<std::string> servers;
    for (const ClusterNode& n : cluster.nodes())
        servers.push_back(n.name);
    BrowserCheck browser(
        "http://" + std::string(kGatekeeperAddress) + ":" + std::to_string(gatekeeper_admin) + "/",
        servers);
    ASSERT_TRUE(browser.started());
    const json nodes = browser.result("nodes");
    ASSERT_TRUE(nodes.value("ok", false)) << nodes.dump() << browser.log();

    browser.send("baseline");
    ASSERT_FALSE(browser.result("baseline").is_null()) << browser.log();
    constexpr int kReads = 40;
    for (int i = 0; i < kReads; ++i) {
        ASSERT_TRUE(c->query("SELECT 1").ok);
    }
    browser.send("moved " + std::to_string(kReads));
    const json moved = browser.result("moved");
    EXPECT_TRUE(moved.contains("reads")) << moved.dump() << browser.log();

    const ClusterNode& victim = cluster.nodes().back();
    cluster.kill_node(victim.name);
    browser.send("down " + victim.name);
    const json down = browser.result("down");
    // The screenshot while the replica is down: the state an operator looks for.
    const char* wanted = std::getenv("SQLGATE_DASHBOARD_SCREENSHOT");
    const std::string screenshot =
        wanted != nullptr ? std::string(wanted) : scratch_dir("dashboard") + "/dashboard.png";
    browser.send("screenshot " + screenshot);
    const json shot = browser.result("screenshot");
    cluster.ensure_up();
    ASSERT_TRUE(down.contains("ms")) << down.dump() << browser.log();
    std::cout << "[ figures  ] " << victim.name << " drawn down " << down["ms"].get<int>()
              << " ms after its kill\n";
    EXPECT_LE(down["ms"].get<int>(), 2000);
    EXPECT_TRUE(shot.contains("file")) << browser.log();
    browser.send("quit");
    const json quit = browser.result("quit");
    ASSERT_TRUE(quit.contains("errors")) << browser.log();
    EXPECT_TRUE(quit["errors"].empty()) << quit.dump();
}

}  // namespace
}  // namespace sqlgate::testing
