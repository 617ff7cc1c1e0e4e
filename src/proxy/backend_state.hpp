// What the proxy knows about one database server at run time: its address, its health as
// the monitor last saw it, and the response-time figures the `customized` strategy scores.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "config/proxy_config.hpp"
#include "net/mysql_client.hpp"
#include "obs/count_history.hpp"
#include "obs/metrics.hpp"
#include "proxy/link_pool.hpp"

namespace sqlgate::proxy {

using Clock = std::chrono::steady_clock;

// How a command came to a server, as /metrics counts it.
enum class StatementRoute : std::uint8_t {
    primary,  // writes, transactions, session state: what must run on the primary
    direct,   // reads by strategy
    random,
    customized,
    named,     // a route hint naming the server
    previous,  // about the previous statement, where that ran
};
inline constexpr std::array<std::string_view, 6> kStatementRouteNames = {
    "primary", "direct", "random", "customized", "named", "previous"};
using RouteCounts = std::array<std::uint64_t, kStatementRouteNames.size()>;  // by StatementRoute

// Exponentially weighted moving average; the first sample is taken as is.
class Ewma {
  public:
    void add(double sample, double weight) {
        value_ = has_value_ ? weight * sample + (1 - weight) * value_ : sample;
        has_value_ = true;
    }
    bool has_value() const { return has_value_; }
    double value() const { return value_; }

  private:
    double value_ = 0;
    bool has_value_ = false;
};

// How a replica's replication stands, from SHOW SLAVE STATUS. `reconnecting` (IO thread
// "Connecting", SQL thread running) is what every replica shows once its primary is gone:
// whether it may still serve reads depends on whether the proxy has lost the primary too,
// which is decided when a read is routed, not when the replica was last polled.
enum class ReplicationLink { streaming, reconnecting, stopped };

// What the monitor and failover learn about a server, on the thread that runs them; the
// other event-loop threads get a copy (ClusterView) and never write it themselves.
struct BackendHealth {
    bool is_primary = false;
    int priority = 0;  // among equally advanced replicas, failover promotes the highest
    // A former primary that failover replaced: no statement goes there until it has rejoined
    // as a replica of its successor (or ever, when its history does not allow that).
    bool fenced = false;
    bool rejoin_refused = false;
    bool removed = false;  // a reload took it out of the config: no new statements

    // Health, written by the ReplicaMonitor (and by sessions that fail to reach it).
    bool ever_reached = false;  // no reads go to a server before the monitor saw it
    int consecutive_failures = 0;
    Clock::time_point failing_since{};  // the first of the current run of failures
    ReplicationLink replication = ReplicationLink::streaming;  // primary: always streaming
    // Seconds_Behind_Master or, finer, the GTID delay (see PrimaryTimeline), whichever is
    // more; while reconnecting: the lag it last had.
    double replication_lag_s = 0;
    bool lag_held_back = false;  // kept from reads for its lag (see held_back_for_lag)
    // On the primary: whether semi-synchronous replication is in effect (nullopt: not
    // configured). Off means MariaDB fell back to asynchronous after a replica's ack timed
    // out, and a failover could lose the last acknowledged writes until it is on again.
    std::optional<bool> semi_sync;
    bool read_only = false;  // the primary's @@read_only (a restarted node starts read-only)
    Clock::time_point reconnecting_since{};
    std::string last_error;
    std::string server_version;
    // Whether its sessions track last_gtid by default (@@global.session_track_system_variables
    // names it, or is '*'): then their clients see it, and read-your-writes need not add it.
    std::optional<bool> tracks_last_gtid;
    std::string gtid_position;  // @@gtid_current_pos as last read (empty: not yet)
    mysql::MariadbCapability mariadb_capabilities = mysql::MariadbCapability::none;  // offered
    Ewma ping_ms;  // round trips of monitor pings
};

// One server as one event-loop thread sees it: its health, and what this thread's sessions
// do there (statements, latency, connections).
struct BackendState : BackendHealth {
    std::size_t index = 0;
    std::string name;
    net::UpstreamAddress address;

    // Response time of the statements this thread's sessions ran there.
    Ewma query_ms;
    Clock::time_point last_query_sample{};
    int in_flight = 0;
    RouteCounts statements{};
    // Every thread's statements, sampled on the control thread (ProxyShards).
    obs::CountHistory<kStatementRouteNames.size()> statement_history;
    obs::LatencyHistogram latency;
    // Its open connections: those sessions hold and the idle ones they share.
    std::shared_ptr<LinkPool> links = std::make_shared<LinkPool>();

    bool reachable(int failure_threshold) const {
        return ever_reached && consecutive_failures < failure_threshold;
    }
    // Seen failing: the monitor's last `failure_threshold` pings, or a session, could not
    // reach it. (Not the same as !reachable: before its first ping a server is neither.)
    bool known_down(int failure_threshold) const {
        return consecutive_failures >= failure_threshold;
    }
    // Counts one failed attempt to reach it; `at_once` makes it known down straight away.
    void note_failure(int failure_threshold, bool at_once, Clock::time_point now) {
        if (consecutive_failures == 0) failing_since = now;
        consecutive_failures =
            at_once ? std::max(consecutive_failures, failure_threshold) : consecutive_failures + 1;
    }
    // "'primary' (127.0.20.1:3306)", for error messages and logs.
    std::string described() const {
        return "'" + name + "' (" + address.endpoint.address().to_string() + ":" +
               std::to_string(address.endpoint.port()) + ")";
    }
    // What a client is told when this server cannot run its command, and why.
    std::string unavailable(std::string_view why) const {
        return "sqlgate: server " + described() + " unavailable: " + std::string(why);
    }
};

// Whether the server that is primary has been seen failing (see BackendState::known_down).
inline bool primary_known_down(std::span<const BackendState> backends, int failure_threshold) {
    for (const BackendState& b : backends) {
        if (b.is_primary) return b.known_down(failure_threshold);
    }
    return false;
}

}  // namespace sqlgate::proxy
