// The whole chain for a test: gatekeeper -> trusted host -> proxy -> the test cluster, each
// a real sqlgate process on its own loopback address, with certificates from scripts/certs.sh.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/proxy_process.hpp"
#include "harness/role_process.hpp"
#include "harness/sql_client.hpp"

namespace sqlgate::testing {

constexpr const char* kTrustedHostAddress = "127.0.31.2";
constexpr const char* kGatekeeperAddress = "127.0.31.3";
constexpr const char* kOutsiderAddress = "127.0.31.9";  // a host no hop trusts
constexpr const char* kChainSchema = "chain_db";
// Gatekeeper users: `app` may read, write and change tables in chain_db; `reader` only reads.
constexpr const char* kReaderUser = "reader";
constexpr const char* kReaderPassword = "reader-password";
constexpr const char* kApiToken = "test-token-0123456789abcdef";
constexpr const char* kReaderApiToken = "reader-token-fedcba9876543210";

// What curl got from the HTTP API.
struct HttpAnswer {
    int status = 0;
    std::string body;
};

struct ChainScenario {
    double per_user_per_second = 0;  // 0: no rate limit
    double per_user_burst = 0;
    int handshake_timeout_ms = 10'000;
    int idle_timeout_ms = 600'000;
    bool http = true;
    const TestCluster* cluster = nullptr;  // null: the shared test cluster
    std::string proxy_toml;                // appended to the proxy's config
    std::string trusted_host_toml;         // appended to the trusted host's (before its users)
    // Sources the trusted host accepts besides the gatekeeper's address (a scanner's).
    std::vector<std::string> trusted_host_more_sources;
    std::string gatekeeper_toml;           // appended to the gatekeeper's (before its users)
    std::string gatekeeper_listener_toml;  // more keys of the gatekeeper's [listener]
    std::string app_user_toml;  // more keys of the app user, at the gatekeeper and trusted host
};

class Chain {
  public:
    explicit Chain(ChainScenario scenario = {});
    ~Chain();

    const std::string& certs() const { return certs_; }  // ca.crt, NAME.crt/.key
    unsigned gatekeeper_port() const { return gatekeeper_port_; }
    unsigned http_port() const { return http_port_; }
    unsigned trusted_host_port() const { return trusted_host_port_; }
    unsigned proxy_port() const { return proxy_->port(); }

    // TLS, verified against the chain's CA, as `user`.
    ConnectOptions gatekeeper_client(const std::string& user = kAppUser,
                                     const std::string& password = kAppPassword) const;
    std::unique_ptr<SqlClient> connect(const std::string& user = kAppUser,
                                       const std::string& password = kAppPassword) const;
    std::string gatekeeper_log() const { return gatekeeper_->log(); }
    std::string trusted_host_log() const { return trusted_host_->log(); }
    std::string proxy_log() const { return proxy_->log(); }
    std::string audit_log() const;
    // Calls the HTTP API with curl (a client nobody here wrote), verifying the certificate.
    HttpAnswer http(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token = kApiToken) const;
    pid_t gatekeeper_pid() const { return gatekeeper_->pid(); }
    pid_t trusted_host_pid() const { return trusted_host_->pid(); }
    const RoleProcess& gatekeeper() const { return *gatekeeper_; }
    const RoleProcess& trusted_host() const { return *trusted_host_; }
    void stop_trusted_host() { trusted_host_->stop(); }
    std::string config_dir() const { return dir_; }
    bool all_running() const;

  private:
    std::string dir_;
    std::string certs_;
    unsigned gatekeeper_port_;
    unsigned http_port_;
    unsigned trusted_host_port_;
    std::unique_ptr<ProxyProcess> proxy_;
    std::unique_ptr<RoleProcess> trusted_host_;
    std::unique_ptr<RoleProcess> gatekeeper_;
};

}  // namespace sqlgate::testing
