// What each role's admin listener shows, on the real cluster: /metrics that Prometheus' own
// promtool accepts, counters that move by exactly what was run, refusals by rule, replica
// health that follows the replica, /readyz and /status.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "eventually.hpp"
#include "harness/chain.hpp"
#include "harness/proxy_process.hpp"
#include "obs/admin_client.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;

// promtool's verdict on a /metrics text (exit status 0 and its complaints otherwise).
std::pair<int, std::string> promtool_check(const std::string& text) {
    const std::string file = scratch_dir("metrics") + "/metrics.txt";
    std::ofstream(file) << text;
    std::string out;
    const int status = run_command("promtool check metrics < '" + file + "' 2>&1", &out);
    return {status, out};
}

// An admin listener port for each role of a chain, and the chain's scenario opening them.
struct AdminPorts {
    unsigned gatekeeper = next_port();
    unsigned trusted_host = next_port();
    unsigned proxy = next_port();
    ChainScenario scenario() const {
        ChainScenario s;
        s.proxy_toml = admin_toml(proxy);
        s.gatekeeper_toml = admin_toml(gatekeeper, kGatekeeperAddress);
        s.trusted_host_toml = admin_toml(trusted_host, kTrustedHostAddress);
        return s;
    }
};

class Metrics : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }
};

// The sum over the servers of /status's statements_last_minute for `route`.
std::uint64_t last_minute(const nlohmann::json& status, const std::string& route) {
    std::uint64_t sum = 0;
    for (const auto& server : status.at("servers"))
        sum += server.at("statements_last_minute").at(route).get<std::uint64_t>();
    return sum;
}

TEST_F(Metrics, ProxyCountsEveryReadByReplicaAndPassesPromtool) {
    const unsigned port = next_port();
    // One event-loop thread: one pooled connection per server (threads_test.cpp: several).
    ProxyProcess proxy({.threads = 1, .extra_toml = admin_toml(port)});
    proxy.wait_until_replicas_serve();
    const auto before = obs::call_admin(admin_of(port), "GET", "/metrics");
    ASSERT_EQ(before.status, 200u) << before.body;
    const auto status_before =
        nlohmann::json::parse(obs::call_admin(admin_of(port), "GET", "/status").body);
    auto c = proxy.connect();
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(c->query("/* sqlgate:route=random */ SELECT 1").ok);
    }
    ASSERT_TRUE(c->query("CREATE DATABASE IF NOT EXISTS itest").ok);
    const auto after = obs::call_admin(admin_of(port), "GET", "/metrics");
    ASSERT_EQ(after.status, 200u);
    double reads = 0;
    const TestCluster& cluster = TestCluster::get();
    for (std::size_t k = 1; k < cluster.nodes().size(); ++k) {
        const std::string series = "sqlgate_proxy_statements_total{server=\"" +
                                   cluster.nodes()[k].name + "\",route=\"random\"}";
        reads += metric_sample(after.body, series) - metric_sample(before.body, series);
    }
    EXPECT_EQ(reads, 20) << after.body;
    const std::string random_latency =
        "sqlgate_proxy_route_duration_seconds_count{route=\"random\"}";
    EXPECT_EQ(
        metric_sample(after.body, random_latency) - metric_sample(before.body, random_latency), 20);
    // This client's session holds one connection to the primary (the CREATE DATABASE).
    EXPECT_EQ(metric_sample(after.body, "sqlgate_proxy_backend_connections{server=\"primary\"}"), 1)
        << after.body;
    const std::string primary =
        "sqlgate_proxy_statements_total{server=\"primary\",route=\"primary\"}";
    EXPECT_GE(metric_sample(after.body, primary) - metric_sample(before.body, primary), 1);
    EXPECT_GE(metric_sample(after.body,
                            "sqlgate_proxy_statement_duration_seconds_count{server=\"primary\"}"),
              1);
    EXPECT_EQ(metric_sample(after.body, "sqlgate_build_info{role=\"proxy\",version=\"0.1.0\"}"), 1);
    EXPECT_EQ(metric_sample(after.body, "sqlgate_sessions_open{role=\"proxy\"}"), 1);
    const auto [status, complaints] = promtool_check(after.body);
    EXPECT_EQ(status, 0) << complaints << after.body;

    const auto ready = obs::call_admin(admin_of(port), "GET", "/readyz");
    EXPECT_EQ(ready.status, 200u) << ready.body;
    const auto status_json = obs::call_admin(admin_of(port), "GET", "/status");
    EXPECT_EQ(status_json.status, 200u);
    EXPECT_NE(status_json.body.find("\"name\": \"replica-1\""), std::string::npos)
        << status_json.body;
    const auto topology = nlohmann::json::parse(status_json.body);
    EXPECT_EQ(last_minute(topology, "random") - last_minute(status_before, "random"), 20u)
        << status_json.body;
    double shares = 0;
    for (const auto& [server, share] : topology.at("read_shares").at("random").items())
        shares += share.get<double>();
    EXPECT_NEAR(shares, 1.0, 0.01) << status_json.body;
    // The digest of the file in force: what sha256sum prints for it.
    std::string digest;
    ASSERT_EQ(run_command("sha256sum '" + proxy.config_file() + "' | cut -d' ' -f1", &digest), 0);
    EXPECT_EQ(topology.at("config_digest").get<std::string>() + "\n", digest);
    // Every server's GTID position; the replicas none behind once replication has caught up.
    const TestCluster& cluster_now = TestCluster::get();
    cluster_now.wait_for_replication();
    EXPECT_TRUE(eventually("every replica's GTID lag 0", 3s, [&] {
        const auto now =
            nlohmann::json::parse(obs::call_admin(admin_of(port), "GET", "/status").body);
        bool caught_up = true;
        for (const auto& server : now.at("servers")) {
            caught_up = caught_up && !server.at("gtid_position").get<std::string>().empty() &&
                        (server.at("role") == "primary" || server.at("gtid_lag") == 0);
        }
        return caught_up;
    }));
    const auto lag_text = obs::call_admin(admin_of(port), "GET", "/metrics").body;
    EXPECT_NE(lag_text.find("sqlgate_proxy_replication_gtid_lag{server=\"replica-1\"} 0"),
              std::string::npos)
        << lag_text;

    // A wrong password is counted as refused, under its reason.
    ConnectOptions wrong = proxy.client_options();
    wrong.password = "wrong";
    std::string error;
    EXPECT_FALSE(SqlClient::connect(wrong, &error));
    const auto refused = obs::call_admin(admin_of(port), "GET", "/metrics").body;
    EXPECT_EQ(metric_sample(refused,
                            "sqlgate_connections_refused_total{role=\"proxy\",listener=\"mysql\","
                            "reason=\"access_denied\"}"),
              1)
        << refused;
    EXPECT_EQ(obs::call_admin(admin_of(port), "GET", "/healthz").status, 200u);
    EXPECT_EQ(obs::call_admin(admin_of(port), "GET", "/nothing").status, 404u);
}

// With TLS and a token in [admin] (what an address off loopback requires), nothing is
// answered without the token: not over plain HTTP, not over HTTPS without it or with a wrong
// one; the token works as a bearer token and as Basic's password (what a browser sends).
TEST_F(Metrics, AdminOverTlsAnswersOnlyWithTheToken) {
    const std::string certs = scratch_dir("admin-tls");
    std::string out;
    ASSERT_EQ(run_command(
                  source_dir() + "/scripts/certs.sh " + certs + " proxy=" + kProxyAddress + " 2>&1",
                  &out),
              0)
        << out;
    const std::string token = "admin-token-for-the-test";
    std::string digest;
    ASSERT_EQ(run_command("printf %s '" + token + "' | sha256sum | cut -d' ' -f1", &digest), 0);
    digest.pop_back();
    const unsigned port = next_port();
    ProxyProcess proxy({.extra_toml = "\n[admin]\naddress = \"" + std::string(kProxyAddress) +
                                      "\"\nport = " + std::to_string(port) +
                                      "\ntls_certificate = \"" + certs +
                                      "/proxy.crt\"\ntls_private_key = \"" + certs +
                                      "/proxy.key\"\ntoken_sha256 = \"" + digest + "\"\n"});
    proxy.wait_until_replicas_serve();
    const std::string url = "https://" + std::string(kProxyAddress) + ":" + std::to_string(port);
    // The HTTP status curl got ("000": no HTTP answer at all).
    const auto status_of = [&](const std::string& options, const std::string& target) {
        std::string code;
        run_command("curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert '" + certs +
                        "/ca.crt' " + options + " '" + target + "'",
                    &code);
        return code;
    };
    EXPECT_EQ(status_of("", url + "/metrics"), "401");
    EXPECT_EQ(status_of("", url + "/healthz"), "401");
    EXPECT_EQ(status_of("-H 'Authorization: Bearer wrong'", url + "/status"), "401");
    EXPECT_EQ(status_of("-u any:wrong", url + "/"), "401");
    EXPECT_EQ(status_of("", "http://" + std::string(kProxyAddress) + ":" + std::to_string(port) +
                                "/metrics"),
              "000");
    EXPECT_EQ(status_of("-H 'Authorization: Bearer " + token + "'", url + "/metrics"), "200");
    EXPECT_EQ(status_of("-u any:" + token, url + "/"), "200");
    std::string metrics;
    ASSERT_EQ(run_command("curl -s --max-time 5 --cacert '" + certs + "/ca.crt' -H " +
                              "'Authorization: Bearer " + token + "' '" + url + "/metrics'",
                          &metrics),
              0);
    EXPECT_NE(metrics.find("sqlgate_build_info{role=\"proxy\""), std::string::npos) << metrics;
    // A browser is asked for the token as a password.
    std::string headers;
    run_command(
        "curl -s -D - -o /dev/null --max-time 5 --cacert '" + certs + "/ca.crt' '" + url + "/'",
        &headers);
    EXPECT_NE(headers.find("WWW-Authenticate: Basic"), std::string::npos) << headers;
}

// A replica whose SQL thread stops shows as not replicating within 2 s, and comes back.
TEST_F(Metrics, ReplicaHealthFollowsAStoppedSqlThread) {
    const unsigned port = next_port();
    ProxyProcess proxy({.extra_toml = admin_toml(port)});
    proxy.wait_until_replicas_serve();
    const TestCluster& cluster = TestCluster::get();
    const ClusterNode& replica = cluster.nodes().at(1);
    const std::string running =
        "sqlgate_proxy_replication_running{server=\"" + replica.name + "\"}";
    const auto metric = [&] {
        return metric_sample(obs::call_admin(admin_of(port), "GET", "/metrics").body, running);
    };
    ASSERT_TRUE(eventually("replica-1 replicating", 5s, [&] { return metric() == 1; }));
    cluster.admin_sql(replica, "STOP SLAVE SQL_THREAD");
    const bool seen = eventually("replica-1 not replicating", 2s, [&] { return metric() == 0; });
    cluster.admin_sql(replica, "START SLAVE SQL_THREAD");
    EXPECT_TRUE(seen);
    EXPECT_TRUE(eventually("replica-1 replicating again", 5s, [&] { return metric() == 1; }));
}

// Both front roles: refusals counted under the rule that refused, statements by verdict,
// promtool accepts their text, and each is ready while its upstream answers.
TEST_F(Metrics, FrontRolesCountRefusalsByRule) {
    const AdminPorts ports;
    Chain chain(ports.scenario());
    const unsigned gatekeeper_admin = ports.gatekeeper;
    const unsigned trusted_host_admin = ports.trusted_host;
    const unsigned proxy_admin = ports.proxy;
    auto c = chain.connect();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->query("SELECT 1").ok);
    const auto refused = c->query("SELECT user FROM mysql.user");
    ASSERT_FALSE(refused.ok);
    EXPECT_NE(refused.error.find("system_schema"), std::string::npos) << refused.error;

    const auto gk =
        obs::call_admin(admin_of(gatekeeper_admin, kGatekeeperAddress), "GET", "/metrics");
    ASSERT_EQ(gk.status, 200u) << gk.body;
    EXPECT_EQ(
        metric_sample(gk.body,
                      "sqlgate_front_refusals_total{role=\"gatekeeper\",rule=\"system_schema\"}"),
        1)
        << gk.body;
    EXPECT_GE(metric_sample(gk.body,
                            "sqlgate_front_statements_total{role=\"gatekeeper\",front=\"mysql\","
                            "verdict=\"allow\",kind=\"read\"}"),
              1);
    const auto th =
        obs::call_admin(admin_of(trusted_host_admin, kTrustedHostAddress), "GET", "/metrics");
    ASSERT_EQ(th.status, 200u) << th.body;
    // The trusted host never saw the refused statement.
    EXPECT_EQ(
        metric_sample(th.body,
                      "sqlgate_front_refusals_total{role=\"trusted-host\",rule=\"system_schema\"}"),
        0);
    EXPECT_GE(metric_sample(th.body,
                            "sqlgate_front_statements_total{role=\"trusted-host\",front=\"mysql\","
                            "verdict=\"allow\",kind=\"read\"}"),
              1);
    // The gatekeeper's hop to the trusted host is mutual TLS.
    EXPECT_GE(metric_sample(th.body,
                            "sqlgate_tls_handshakes_total{role=\"trusted-host\",listener=\"mysql\","
                            "outcome=\"ok\"}"),
              1)
        << th.body;
    for (const auto* text : {&gk.body, &th.body}) {
        const auto [status, complaints] = promtool_check(*text);
        EXPECT_EQ(status, 0) << complaints << *text;
    }
    EXPECT_EQ(
        obs::call_admin(admin_of(gatekeeper_admin, kGatekeeperAddress), "GET", "/readyz").status,
        200u);
    const auto th_ready =
        obs::call_admin(admin_of(trusted_host_admin, kTrustedHostAddress), "GET", "/readyz");
    EXPECT_EQ(th_ready.status, 200u) << th_ready.body;
    const auto status_json =
        obs::call_admin(admin_of(gatekeeper_admin, kGatekeeperAddress), "GET", "/status");
    EXPECT_NE(status_json.body.find("\"system_schema\": 1"), std::string::npos) << status_json.body;

    // `sqlgate status` shows the chain from the three listeners (no colours: not a terminal).
    std::ostringstream command;
    command << "'" << sqlgate_binary() << "' status --admin "
            << admin_of(gatekeeper_admin, kGatekeeperAddress) << " --admin "
            << admin_of(trusted_host_admin, kTrustedHostAddress) << " --admin "
            << admin_of(proxy_admin) << " 2>&1";
    std::string report;
    EXPECT_EQ(run_command(command.str(), &report), 0) << report;
    for (const char* expected : {"gatekeeper (", "trusted-host (", "proxy (", "replica-1",
                                 "system_schema 1", "streaming"}) {
        EXPECT_NE(report.find(expected), std::string::npos) << expected << " in\n" << report;
    }
    EXPECT_EQ(report.find('\033'), std::string::npos) << report;

    // With the trusted host gone, the gatekeeper is no longer ready.
    chain.stop_trusted_host();
    const auto gone =
        obs::call_admin(admin_of(gatekeeper_admin, kGatekeeperAddress), "GET", "/readyz");
    EXPECT_EQ(gone.status, 503u) << gone.body;
    EXPECT_NE(run_command(command.str(), &report), 0) << report;
    EXPECT_NE(report.find("no answer"), std::string::npos) << report;
}

// Runs a bash snippet with the scripts' helpers (scripts/lib/prometheus.sh) loaded.
int run_script_lib(const std::string& dir, const std::string& snippet, std::string* out) {
    const std::string file = dir + "/snippet.sh";
    std::ofstream(file) << "set -euo pipefail\ncd '" << source_dir()
                        << "'\nsource scripts/lib/common.sh\nsource scripts/lib/processes.sh\n"
                           "source scripts/lib/prometheus.sh\n"
                        << snippet << "\n";
    return run_command("bash '" + file + "' 2>&1", out);
}

// The Prometheus that scripts/run.sh starts (same script, same generated config) scrapes
// the three roles: its HTTP API returns their series.
TEST_F(Metrics, ARealPrometheusScrapesEveryRole) {
    const AdminPorts ports;
    Chain chain(ports.scenario());
    const unsigned gatekeeper_admin = ports.gatekeeper;
    const unsigned trusted_host_admin = ports.trusted_host;
    const unsigned proxy_admin = ports.proxy;
    ASSERT_TRUE(chain.connect()->query("SELECT 1").ok);

    const std::string dir = scratch_dir("prometheus");
    const std::string listen = "127.0.31.20:" + std::to_string(next_port());
    std::string out;
    ASSERT_EQ(run_script_lib(dir,
                             "start_prometheus '" + dir + "' " + listen + " 1s " +
                                 admin_of(gatekeeper_admin, kGatekeeperAddress) + " " +
                                 admin_of(trusted_host_admin, kTrustedHostAddress) + " " +
                                 admin_of(proxy_admin),
                             &out),
              0)
        << out;
    struct Stop {
        std::string dir;
        ~Stop() {
            std::string ignored;
            run_script_lib(dir, "stop_prometheus '" + dir + "'", &ignored);
        }
    } stop{dir};
    const auto query = [&](const std::string& promql) {
        std::string answer;
        run_command("curl -fsG 'http://" + listen +
                        "/api/v1/query' --data-urlencode 'query=" + promql + "'",
                    &answer);
        return answer;
    };
    std::string answer;
    EXPECT_TRUE(eventually("every role scraped", 20s, [&] {
        answer = query("sqlgate_build_info");
        return answer.find("\"role\":\"gatekeeper\"") != std::string::npos &&
               answer.find("\"role\":\"trusted-host\"") != std::string::npos &&
               answer.find("\"role\":\"proxy\"") != std::string::npos;
    })) << answer;
    answer = query("sqlgate_proxy_server_up");
    EXPECT_NE(answer.find("\"server\":\"replica-1\""), std::string::npos) << answer;
    answer = query("up{job=\"sqlgate\"} == 0");
    EXPECT_NE(answer.find("\"result\":[]"), std::string::npos) << "a target is down: " << answer;
}

}  // namespace
}  // namespace sqlgate::testing
