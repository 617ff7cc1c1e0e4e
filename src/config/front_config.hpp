// The configuration of the two front roles, which share one engine: the gatekeeper (public,
// authenticates users, holds no database credentials) and the trusted host (internal).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/shared_sections.hpp"
#include "policy/user_policy.hpp"

namespace sqlgate::config {

// [listener] of a front role: the MySQL port clients connect to.
struct FrontListener {
    std::string address = "127.0.0.1";
    std::uint16_t port = 3306;
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds idle_timeout{600'000};
    std::size_t max_statement_bytes = std::size_t{1} << 20;
    std::size_t max_connections = 1000;            // 0: unlimited
    std::size_t max_connections_per_source = 100;  // 0: unlimited
    std::size_t max_connections_per_user = 0;      // 0: unlimited
    // Connections that have not logged in yet (see engine::PreAuthBudget): at most this
    // many (one is closed to make room for a new one), this many per source address (more
    // are refused), and the shorter handshake timeout they get while over half of the first
    // is used. Defaults for the public gatekeeper; the trusted host's are 0 (no budget).
    std::size_t max_unauthenticated = 256;            // 0: no budget
    std::size_t max_unauthenticated_per_source = 64;  // 0: unlimited
    std::chrono::milliseconds handshake_timeout_under_pressure{2'000};
    std::string server_version = "5.5.5-10.11.0-MariaDB-sqlgate";
};

// [upstream]: the next hop, always over mutual TLS.
struct UpstreamHop {
    std::string address;
    std::uint16_t port = 3306;
    std::optional<std::string> source_address;
    std::string server_name;  // the name its certificate must carry
    TlsFiles tls;             // our client certificate and the CA of the next hop
    std::chrono::milliseconds connect_timeout{2'000};
};

// [[users]]: who may use a front, and what they may run.
struct FrontUser {
    std::string name;
    std::string password_hash;     // gatekeeper: "*HEX" as PASSWORD() prints it
    std::string api_token_sha256;  // gatekeeper: the HTTP API token's SHA-256, hex
    policy::UserPolicy policy;
};

// [firewall]: where the learned statement allowlist lives (see policy::StatementAllowlist).
struct FirewallFiles {
    std::filesystem::path allowlist;  // empty: none; then no user may have firewall != "off"
    friend bool operator==(const FirewallFiles&, const FirewallFiles&) = default;
};

struct RateLimits {
    double per_user_per_second = 0;  // 0: unlimited
    double per_user_burst = 0;
    double per_source_per_second = 0;
    double per_source_burst = 0;
};

struct HttpApiConfig {
    bool enabled = false;
    std::string address = "127.0.0.1";
    std::uint16_t port = 8443;
    std::size_t max_body_bytes = std::size_t{1} << 20;
};

struct GatekeeperConfig {
    std::filesystem::path source_file;
    std::string digest;  // SHA-256 of the file's text, hex: which version is in force
    FrontListener listener;
    TlsFiles tls;                            // [tls]: the public certificate
    bool allow_plain_from_loopback = false;  // [tls] plain MySQL only from 127.0.0.0/8
    UpstreamHop upstream;
    HttpApiConfig http;
    RateLimits rate_limits;
    std::string audit_file = "-";  // "-": stderr
    FirewallFiles firewall;
    AdminListener admin;
    // [runtime] threads: event-loop threads sharing the role's users, limits and audit log;
    // by default (or 0) one per core. 1 keeps everything on one thread. io: see read_runtime.
    std::size_t threads = 1;
    EventLoopIo io = EventLoopIo::io_uring;
    std::vector<FrontUser> users;
};

struct TrustedHostConfig {
    std::filesystem::path source_file;
    std::string digest;  // SHA-256 of the file's text, hex: which version is in force
    FrontListener listener;
    TlsFiles tls;       // [tls]: certificate, key, and the CA client certificates need
    PeerAccess access;  // [access]: the gatekeeper's address and certificate name
    UpstreamHop upstream;
    std::filesystem::path secrets_file;
    FirewallFiles firewall;
    AdminListener admin;
    // [runtime] threads: event-loop threads sharing the role's users, limits and audit log;
    // by default (or 0) one per core. 1 keeps everything on one thread. io: see read_runtime.
    std::size_t threads = 1;
    EventLoopIo io = EventLoopIo::io_uring;
    std::vector<FrontUser> users;                    // [[users]]: the policy, checked again
    std::map<std::string, Credentials> credentials;  // from secrets_file, per user
};

// Throw ConfigError with "file:line: key: problem".
GatekeeperConfig load_gatekeeper_config(const std::filesystem::path& file);
GatekeeperConfig parse_gatekeeper_config(std::string_view text, const std::filesystem::path& file);
TrustedHostConfig load_trusted_host_config(const std::filesystem::path& file);
TrustedHostConfig parse_trusted_host_config(std::string_view text,
                                            const std::filesystem::path& file);

}  // namespace sqlgate::config
