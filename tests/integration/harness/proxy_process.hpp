// A proxy started for a test: the real sqlgate binary with a configuration file written for
// the scenario, stopped (by its pid) when the object goes away.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/role_process.hpp"
#include "harness/sql_client.hpp"
#include "harness/test_cluster.hpp"

namespace sqlgate::testing {

struct ProxyServerEntry {
    std::string name;
    std::string address;
    int port = 3306;
    bool primary = false;
};

struct ProxyScenario {
    unsigned port = 0;  // 0: a port of its own from a per-process counter
    std::string default_route = "random";
    // [runtime] threads; 0: SQLGATE_TEST_PROXY_THREADS when set (to run every test with
    // several event-loop threads), otherwise the proxy's default.
    std::size_t threads = 0;
    std::string user_default_route;  // empty: none
    int monitor_interval_ms = 100;
    int failure_threshold = 2;
    int max_replication_lag_ms = 0;         // 0: the proxy's default
    int user_max_replication_lag_ms = 0;    // the app user's own limit; 0: none
    int heartbeat_interval_ms = 0;          // 0: no heartbeat row
    std::size_t max_statement_bytes = 0;    // 0: the proxy's default
    const TestCluster* cluster = nullptr;   // null: the shared test cluster
    std::vector<ProxyServerEntry> servers;  // empty: the cluster's nodes
    std::string extra_toml;                 // appended verbatim
    std::string backend_toml;               // more keys of [backend], verbatim
    // The account the proxy logs in to the servers with; empty: the cluster's proxy user.
    std::string backend_user;
    std::string backend_password_file;
    // Set when the proxy requires TLS client certificates: readiness is then only that the
    // port listens, and connect() cannot be used.
    std::string client_tls;
};

// True when something listens on address:port (a TCP connect succeeds).
bool port_listens(unsigned port, const char* address = kProxyAddress);

// An [admin] table for a role's config, listening on `address`:`port`, with the dashboard's
// `peers` (ADDRESS:PORT of other roles' admin listeners).
std::string admin_toml(unsigned port, const std::string& address = kProxyAddress,
                       const std::vector<std::string>& peers = {});
// "ADDRESS:PORT" of an admin listener, as obs::call_admin and `peers` take it.
std::string admin_of(unsigned port, const std::string& address = kProxyAddress);
// The value of the sample whose name and labels are exactly `series` in a /metrics text (as
// the text writes them, e.g. `x_total{server="replica-1",route="random"}`); 0 when absent.
double metric_sample(const std::string& text, const std::string& series);

// Runs SELECT SLEEP(20) on the primary through `victim` and has `killer` KILL QUERY it by
// the victim's connection id: the statement ends early and the victim's session goes on.
void expect_kill_query_interrupts(SqlClient& victim, SqlClient& killer);

constexpr const char* kAppUser = "app";
constexpr const char* kAppPassword = "app-password";

class ProxyProcess {
  public:
    explicit ProxyProcess(ProxyScenario scenario);
    ~ProxyProcess();
    ProxyProcess(const ProxyProcess&) = delete;
    ProxyProcess& operator=(const ProxyProcess&) = delete;

    unsigned port() const { return port_; }
    ConnectOptions client_options() const;
    std::unique_ptr<SqlClient> connect() const;  // fails the test when it cannot
    std::string log() const;                     // what the proxy wrote so far
    bool running() const;
    void signal(int signal) const;  // sends it to the proxy's process
    std::string config_file() const { return process_->config_file(); }
    // Rewrites the proxy's config for `scenario` (its port stays), for a SIGHUP to apply.
    void rewrite_config(ProxyScenario scenario) const;
    // Waits until `SELECT @@server_id` with this route reaches a replica (monitor warmed up).
    void wait_until_replicas_serve() const;

  private:
    unsigned port_;
    std::unique_ptr<RoleProcess> process_;
};

}  // namespace sqlgate::testing
