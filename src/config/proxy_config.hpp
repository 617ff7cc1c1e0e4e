// The proxy role's configuration: typed, immutable after loading, read once from a TOML
// file. Every error names the file, the line and the key.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/route_strategy.hpp"
#include "config/shared_sections.hpp"

namespace sqlgate::config {

enum class ServerRole { primary, replica };

struct ServerConfig {
    std::string name;  // used in logs, status and `node:NAME` route hints
    std::string address;
    std::uint16_t port = 3306;
    ServerRole role = ServerRole::replica;
    // Failover promotes the replica with the most advanced GTID position; among equals, the
    // highest priority (then the first listed).
    int priority = 0;
};

// Who decides that the primary is lost: nobody (off), an operator (manual: the proxy only
// reports), or the proxy itself (auto).
enum class FailoverMode { off, manual, automatic };

struct UserConfig {
    std::string name;
    std::string password_hash;  // "*HEX", as MariaDB's PASSWORD() prints it
    std::optional<RouteStrategy> default_route;
    // A stricter replication lag for this user's reads than [monitor]'s (a looser one would
    // be the monitor's anyway: a replica held back for lag is held back for everyone).
    std::optional<double> max_replication_lag_s;
};

struct ProxyConfig {
    std::filesystem::path source_file;
    std::string digest;  // SHA-256 of the file's text, hex: which version is in force

    // [listener]
    std::string listen_address = "127.0.0.1";
    std::uint16_t listen_port = 3306;
    RouteStrategy default_route = RouteStrategy::random;
    std::size_t max_statement_bytes = 64 * 1024 * 1024;
    std::chrono::milliseconds handshake_timeout{10'000};
    std::string server_version = "5.5.5-10.11.0-MariaDB-sqlgate";
    // [tls]: offered to clients when set; with [access] client names, required.
    TlsFiles tls;
    bool require_tls = false;
    // [access]: in the chain, only the trusted host may connect.
    PeerAccess access;

    // [runtime] threads: event-loop threads, each with its own clients and backend
    // connections; by default (or 0) one per core. 1 keeps everything on one thread.
    // io: see read_runtime.
    std::size_t threads = 0;
    EventLoopIo io = EventLoopIo::io_uring;

    // [backend]
    Credentials backend;
    std::optional<std::string> source_address;  // local address for backend connections
    std::chrono::milliseconds connect_timeout{2'000};
    // Sessions borrow a server connection for a statement and give it back after, unless
    // something pins them to it (a transaction, a temporary table, ...): many clients share
    // few connections. Off: each session keeps its own connection to each server it used.
    bool multiplex = true;
    // At most this many connections to each server (0: no limit); a statement that finds
    // them all busy waits up to connection_wait_timeout for one.
    std::size_t max_connections_per_server = 0;
    std::chrono::milliseconds connection_wait_timeout{10'000};
    // A read may be written on a connection still busy with other sessions' reads, its
    // reply relayed after theirs (pipelining), while fewer than this many statements are in
    // flight there; 1: never (each statement has a connection to itself).
    std::size_t pipeline_depth = 1;

    // [monitor]
    Credentials monitor;
    std::chrono::milliseconds monitor_interval{250};
    int failure_threshold = 3;  // consecutive failed pings before a server is down
    // Replicas further behind get no reads ([monitor] max_replication_lag_ms, or _s); measured
    // by GTID position in time, so a fraction of a second means what it says.
    double max_replication_lag_s = 30;
    double ewma_weight = 0.3;  // weight of the newest sample in response-time averages
    // A row the monitor writes on the primary this often and reads on each replica, so a
    // replica that stopped receiving shows its lag with no application write (0: off).
    std::chrono::milliseconds heartbeat_interval{0};
    std::string heartbeat_table = "sqlgate.heartbeat";  // schema.table, created if missing

    // [routing]
    bool fallback_to_primary = true;  // reads go to the primary when no replica is usable
    // After a session writes, its reads on a replica first wait (MASTER_GTID_WAIT) until the
    // replica has applied that write; a replica still behind after the timeout is skipped.
    bool read_your_writes = true;
    std::chrono::milliseconds read_your_writes_timeout{1'000};
    // Stored functions known to be read-only ("f" in any schema, or "db.f"): reads calling
    // them may run on replicas. Any other stored function keeps its statement on the primary.
    std::vector<std::string> replica_safe_functions;

    // [failover]
    FailoverMode failover = FailoverMode::off;
    // How long the monitor must have failed to reach the primary (and every replica's IO
    // thread lost it too) before it counts as lost.
    std::chrono::milliseconds failover_after{2'000};
    // How long the chosen replica may take to apply the relay log it already holds.
    std::chrono::milliseconds promotion_timeout{10'000};
    // The replicas' replication account, for pointing them at a new primary (and a former
    // primary at its successor); the monitor account runs those statements.
    Credentials replication;

    // [admin]: also POST /switchover?to=NAME here.
    AdminListener admin;

    std::vector<ServerConfig> servers;  // [[servers]]; exactly one primary
    std::vector<UserConfig> users;      // [[users]]
};

// Throws ConfigError with "file:line: key: problem".
ProxyConfig load_proxy_config(const std::filesystem::path& file);
ProxyConfig parse_proxy_config(std::string_view text, const std::filesystem::path& file);

}  // namespace sqlgate::config
