// State every client session of one event-loop thread shares: the configuration, the
// backends and their health, the users, the random source of `random`. One thread owns it.
#pragma once

#include <array>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/proxy_config.hpp"
#include "mysql/auth.hpp"
#include "net/peer_check.hpp"
#include "proxy/backend_state.hpp"
#include "proxy/replica_selector.hpp"
#include "sql/classifier.hpp"

namespace sqlgate::proxy {

class ProxySession;
class ProxyShards;

// Errors the proxy answers commands with itself, counted by cause for /metrics.
enum class ProxyError : std::uint8_t {
    primary_down,
    server_unavailable,
    no_replica,
    unknown_route
};
inline constexpr std::array<std::string_view, 4> kProxyErrorNames = {
    "primary_down", "server_unavailable", "no_replica", "unknown_route"};

// Why a session keeps a backend connection between statements instead of giving it back to
// the pool: what it set there lives only on that connection.
enum class PinReason : std::uint8_t {
    transaction,        // open, or autocommit off
    table_lock,         // LOCK TABLES
    temporary_table,    // CREATE TEMPORARY TABLE
    sql_prepare,        // PREPARE name FROM ...
    primary_function,   // GET_LOCK(), NEXT VALUE FOR ...: what it took stays there
    found_rows,         // SQL_CALC_FOUND_ROWS: FOUND_ROWS() follows
    write,              // LAST_INSERT_ID(), ROW_COUNT() and what triggers set
    user_variables,     // set by a statement that cannot be replayed elsewhere
    session_variables,  // likewise
    cursor,             // a prepared statement's open cursor
    long_data,          // COM_STMT_SEND_LONG_DATA waits for its execution
    diagnostics,        // the last statement left warnings or an error to ask about
    session_tracking,   // the client chose what its session tracks
};
inline constexpr std::array<std::string_view, 13> kPinReasonNames = {
    "transaction", "table_lock",  "temporary_table", "sql_prepare",       "primary_function",
    "found_rows",  "write",       "user_variables",  "session_variables", "cursor",
    "long_data",   "diagnostics", "session_tracking"};
using PinReasons = std::uint16_t;  // a bit per PinReason
constexpr PinReasons pin_bit(PinReason reason) {
    return static_cast<PinReasons>(1u << static_cast<unsigned>(reason));
}

// What /metrics counts beyond each backend's own figures.
struct ProxyCounters {
    std::array<std::uint64_t, kProxyErrorNames.size()> errors{};  // by ProxyError
    // Sessions that began to keep a backend connection, by PinReason.
    std::array<std::uint64_t, kPinReasonNames.size()> pins{};
    std::uint64_t failovers = 0;
    std::uint64_t switchovers = 0;
    std::uint64_t pipelined = 0;  // reads that followed another session's on its connection
    // Statement latency by how it was routed (StatementRoute), whichever server ran it.
    std::array<obs::LatencyHistogram, kStatementRouteNames.size()> route_latency;
    void count(ProxyError error) { ++errors[static_cast<std::size_t>(error)]; }
};

// What the control thread (monitor, failover) publishes to the other threads' runtimes:
// copied there whole, so that their sessions read it without locks.
struct ClusterView {
    std::vector<BackendHealth> health;  // by backend index
    std::size_t primary_index = 0;
    std::string failover_status;
    bool writes_paused = false;
};

// What one thread's sessions did at each server, and its own counters: summed over the
// threads for /metrics and /status.
struct ServerTraffic {
    int in_flight = 0;
    RouteCounts statements{};
    obs::LatencyHistogram latency;
    std::size_t connections = 0;  // open, held and idle
    std::size_t idle_connections = 0;
};
struct ProxyTraffic {
    std::vector<ServerTraffic> servers;  // by backend index
    ProxyCounters counters;
    // Adds another thread's figures (servers it does not know yet are left as they are).
    void add(const ProxyTraffic& other);
};

struct ProxyUser {
    std::string name;
    mysql::Sha1Digest password_hash{};
    std::optional<config::RouteStrategy> default_route;
    std::optional<double> max_replication_lag_s;  // stricter than the runtime's, or none
};

class ProxyRuntime {
  public:
    // Throws config::ConfigError for values that only make sense once resolved (addresses).
    // `tls`: the listener context another thread's runtime made (one context, one set of
    // session-ticket keys: a client resumes whichever thread it reaches); null: its own.
    explicit ProxyRuntime(const config::ProxyConfig& config,
                          std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

    // The configuration in force: the one given at start, or the last reload's. Sessions
    // read it per statement; the monitor and failover keep the one they started with.
    const config::ProxyConfig& config() const { return *config_; }
    // Applies a re-read configuration (SIGHUP) without dropping a session: users, routing,
    // replica-safe functions, lag and failure limits, and the set of servers (a server
    // removed gets no new statements; one added is returned for the monitor to watch).
    // What needs a restart (listener, TLS, accounts, monitor, failover) is named in
    // `ignored`. Throws config::ConfigError, changing nothing, when `next` cannot be
    // applied (a server's address changed, the primary removed, more than 64 servers).
    std::vector<BackendState*> reload(std::unique_ptr<const config::ProxyConfig> next,
                                      std::vector<std::string>& ignored);
    // How every statement of this proxy is described (the operator's replica-safe functions).
    const sql::DescribeOptions& describe_options() const { return describe_options_; }
    std::vector<BackendState>& backends() { return backends_; }
    BackendState& primary() { return backends_[primary_index_]; }
    bool primary_down() const { return primary_known_down(backends_, limits_.failure_threshold); }
    // Makes backend `index` the primary and fences the former one (failover).
    void promote(std::size_t index);
    // What writes are told while the primary is down ("failover is off", "failover in
    // progress", ...), kept up to date by the FailoverCoordinator.
    const std::string& failover_status() const { return failover_status_; }
    void set_failover_status(std::string status) { failover_status_ = std::move(status); }
    // While a switchover swaps the primary, statements for the primary wait in the sessions.
    bool writes_paused() const { return writes_paused_; }
    void pause_writes(bool paused) { writes_paused_ = paused; }
    const SelectionLimits& limits() const { return limits_; }
    ProxyCounters& counters() { return counters_; }
    std::mt19937_64& rng() { return rng_; }

    // Which of the `count` event-loop threads this runtime serves (0: the control thread,
    // which also runs the monitor and failover), `serving` of them serving clients (their
    // share of the backend connections). Client connection ids are unique across them.
    void set_thread(std::size_t index, std::size_t count, std::size_t serving, ProxyShards* shards);
    std::size_t thread_index() const { return thread_index_; }
    // The other threads, for what crosses them (KILL, failures seen); null with one thread.
    ProxyShards* shards() const { return shards_; }
    // Health as this runtime holds it, and taking the control thread's copy.
    ClusterView view() const;
    void apply(const ClusterView& view);
    // This thread's figures as they stand.
    ProxyTraffic traffic() const;

    std::shared_ptr<const ProxyUser> find_user(std::string_view name) const;
    // The listener's TLS (null when not configured) and who may connect.
    boost::asio::ssl::context* tls() { return tls_.get(); }
    const std::shared_ptr<boost::asio::ssl::context>& shared_tls() const { return tls_; }
    const net::PeerCheck& peers() const { return peers_; }
    // The server named `name` (a removed one only with `removed_too`), or null.
    BackendState* find_backend(std::string_view name, bool removed_too = false);
    // Unique across threads: the id modulo the thread count is the thread's index.
    std::uint32_t next_connection_id() {
        return static_cast<std::uint32_t>(++last_connection_id_ * thread_count_ + thread_index_);
    }
    // The thread whose session has the connection id `id`.
    std::size_t thread_of(std::uint64_t id) const { return id % thread_count_; }
    // Live sessions by the connection id their clients were given (for KILL).
    void register_session(std::uint32_t id, ProxySession* session) { sessions_[id] = session; }
    void unregister_session(std::uint32_t id) { sessions_.erase(id); }
    ProxySession* find_session(std::uint64_t id) const {
        const auto it = sessions_.find(static_cast<std::uint32_t>(id));
        return id > UINT32_MAX || it == sessions_.end() ? nullptr : it->second;
    }
    // The version string clients see: the primary's own once the monitor has read it.
    std::string_view server_version();
    // The MariaDB capabilities every server offered the monitor (none until it greeted them
    // all): a client's session may use any server, so it gets only what all of them speak.
    mysql::MariadbCapability mariadb_capabilities() const;

  private:
    void apply_settings(const config::ProxyConfig& config);
    // Each server's pool may open at most [backend] max_connections_per_server.
    void apply_pool_limits();
    BackendState& add_backend(const config::ServerConfig& server);

    const config::ProxyConfig* config_;
    // Every configuration a reload replaced: sessions may hold references into them.
    std::vector<std::unique_ptr<const config::ProxyConfig>> loaded_;
    sql::DescribeOptions describe_options_;
    std::vector<BackendState> backends_;
    std::size_t primary_index_ = 0;
    SelectionLimits limits_;
    std::mt19937_64 rng_;
    std::unordered_map<std::string, std::shared_ptr<const ProxyUser>> users_;
    std::uint32_t last_connection_id_ = 0;
    std::size_t thread_index_ = 0;
    std::size_t thread_count_ = 1;
    std::size_t serving_threads_ = 1;
    ProxyShards* shards_ = nullptr;
    std::unordered_map<std::uint32_t, ProxySession*> sessions_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::string failover_status_;
    bool writes_paused_ = false;
    ProxyCounters counters_;
    net::PeerCheck peers_;
};

}  // namespace sqlgate::proxy
