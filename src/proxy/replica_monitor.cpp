#include "proxy/replica_monitor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <tuple>

#include "net/deadline.hpp"
#include "obs/log.hpp"
#include "proxy/admin_connection.hpp"

namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using boost::system::error_code;

struct ReplicationStatus {
    ReplicationLink link = ReplicationLink::stopped;
    double lag_s = 0;
};

// SHOW SLAVE STATUS on a server that is no replica returns no row: stopped. Once its primary
// is gone, a replica's IO thread keeps trying to reconnect ("Connecting") and its lag reads
// NULL: it still holds everything it received, at the lag it last had.
ReplicationStatus read_replication(const net::CommandResult& r, double last_lag_s) {
    ReplicationStatus s;
    if (r.first_row_value("Slave_SQL_Running") != "Yes") return s;
    const auto io = r.first_row_value("Slave_IO_Running");
    const auto lag = r.first_row_value("Seconds_Behind_Master");
    if (io == "Yes" && lag) {
        s.link = ReplicationLink::streaming;
        s.lag_s = std::strtod(lag->c_str(), nullptr);
    } else if (io == "Connecting") {
        s.link = ReplicationLink::reconnecting;
        s.lag_s = lag ? std::strtod(lag->c_str(), nullptr) : last_lag_s;
    }
    return s;
}

std::string_view link_event(ReplicationLink link) {
    switch (link) {
        case ReplicationLink::streaming:
            return "replication_running";
        case ReplicationLink::reconnecting:
            return "replication_reconnecting";
        case ReplicationLink::stopped:
            break;
    }
    return "replication_stopped";
}

void note_failure(BackendState& b, int threshold, std::string error) {
    b.note_failure(threshold, false, Clock::now());
    if (b.consecutive_failures == threshold) {
        obs::log(obs::LogLevel::warn, "backend_down", {{"server", b.name}, {"error", error}});
    }
    b.last_error = std::move(error);
}

bool contains_word(std::string_view text, std::string_view word) {
    for (std::size_t at = text.find(word); at != std::string_view::npos;
         at = text.find(word, at + 1)) {
        const bool starts = at == 0 || text[at - 1] == ' ' || text[at - 1] == ',';
        const std::size_t end = at + word.size();
        const bool ends = end == text.size() || text[end] == ' ' || text[end] == ',';
        if (starts && ends) return true;
    }
    return false;
}

// Reads the primary's read_only, and logs when its semi-synchronous replication goes off (a
// replica's ack timed out: MariaDB went on asynchronously) or comes back.
void note_primary_settings(BackendState& b, const net::CommandResult& r) {
    if (r.failed || r.rows.empty() || r.rows[0].size() != 3) return;
    const auto& row = r.rows[0];
    b.read_only = row[0] == "1";
    b.gtid_position = row[2].value_or("");
    std::optional<bool> on;
    if (row[1]) on = *row[1] == "ON";
    if (on && b.semi_sync != on) {
        if (*on) {
            obs::log(obs::LogLevel::info, "semi_sync_on", {{"server", b.name}});
        } else {
            obs::log(obs::LogLevel::warn, "semi_sync_off",
                     {{"server", b.name},
                      {"meaning",
                       "no replica acknowledged in time; commits no longer wait for one, so a "
                       "failover now could lose the latest acknowledged writes"}});
        }
    }
    b.semi_sync = on;
}

}  // namespace

std::optional<std::string_view> read_only_bypass(const std::vector<std::string>& grants) {
    static constexpr std::string_view kBypassing[] = {"ALL PRIVILEGES", "SUPER", "READ_ONLY ADMIN",
                                                      "READ ONLY ADMIN"};
    for (const std::string& grant : grants) {
        const std::size_t on = grant.find(" ON *.* TO ");
        if (!grant.starts_with("GRANT ") || on == std::string::npos) continue;
        const std::string_view privileges = std::string_view(grant).substr(6, on - 6);
        for (const std::string_view privilege : kBypassing) {
            if (contains_word(privileges, privilege)) return privilege;
        }
    }
    return std::nullopt;
}

void ReplicaMonitor::start() {
    for (BackendState& b : backends_)
        start_watching(b);
    heartbeat_.start();
}

void ReplicaMonitor::start_watching(BackendState& b) {
    boost::asio::co_spawn(executor_, watch(b), boost::asio::detached);
}

awaitable<void> ReplicaMonitor::watch(BackendState& b) {
    const net::Login login{.user = config_.monitor.user, .password = config_.monitor.password};
    const auto caps = login.capabilities;
    std::unique_ptr<net::PacketChannel> channel;
    boost::asio::steady_timer timer(executor_);
    net::CommandResult result;
    // What routing reads of a backend's health, to tell when a tick changed it.
    const auto health = [&b, this] {
        return std::tuple(b.consecutive_failures >= config_.failure_threshold, b.ever_reached,
                          b.replication, b.lag_held_back);
    };
    for (;;) {
        const auto tick_start = Clock::now();
        const auto health_before = health();
        if (b.removed) {  // a reload took it out; it may bring it back
            channel.reset();
            timer.expires_at(tick_start + config_.monitor_interval);
            co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            continue;
        }
        error_code ec;
        std::string diagnostics;
        if (!channel) {
            channel = std::make_unique<net::PacketChannel>(executor_);
            net::ServerInfo info;
            ec = co_await net::connect_and_login(*channel, b.address, login,
                                                 config_.connect_timeout, info, diagnostics);
            if (!ec) {
                b.server_version = info.version;
                b.mariadb_capabilities = info.mariadb_capabilities;
                ec = co_await net::run_command(*channel, mysql::Command::query,
                                               "SELECT @@global.session_track_system_variables",
                                               caps, result);
                if (!ec && !result.failed) {
                    const std::string tracked = result.first_value().value_or("");
                    b.tracks_last_gtid = tracked == "*" || contains_word(tracked, "last_gtid");
                }
            }
        }
        double rtt_ms = 0;
        Clock::duration measured_delay{};  // by GTID position or the heartbeat, the larger
        if (!ec) {
            net::DeadlineGuard deadline(*channel, config_.connect_timeout);
            const auto sent = Clock::now();
            ec = co_await net::run_command(*channel, mysql::Command::ping, "", caps, result);
            rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
            if (!ec && !b.is_primary) {
                ec = co_await net::run_command(*channel, mysql::Command::query, "SHOW SLAVE STATUS",
                                               caps, result);
                if (!ec && result.failed) diagnostics = result.error_message;
                // What it has applied (SHOW SLAVE STATUS tells only what it has received).
                net::CommandResult position;
                if (!ec && !result.failed) {
                    ec = co_await net::run_command(*channel, mysql::Command::query,
                                                   "SELECT @@gtid_current_pos", caps, position);
                    if (!ec && !position.failed)
                        b.gtid_position = position.first_value().value_or("");
                    if (const auto parsed = GtidPosition::parse(b.gtid_position)) {
                        measured_delay = timeline_.delay_of(*parsed, Clock::now());
                    }
                }
                // The heartbeat row moves every interval, writes or not. Before it reaches
                // the replica (a new table) the read fails and only the GTID delay counts.
                if (!ec && !result.failed && heartbeat_.enabled()) {
                    ec = co_await net::run_command(*channel, mysql::Command::query,
                                                   heartbeat_.read_statement(), caps, position);
                    if (!ec && !position.failed) {
                        measured_delay =
                            std::max(measured_delay,
                                     heartbeat_.delay_of(ReplicationHeartbeat::beat_in(position),
                                                         Clock::now()));
                    }
                }
            } else if (!ec) {
                ec = co_await net::run_command(*channel, mysql::Command::query,
                                               "SELECT @@read_only, (SELECT VARIABLE_VALUE FROM "
                                               "information_schema.GLOBAL_STATUS WHERE "
                                               "VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_STATUS'), "
                                               "@@gtid_current_pos",
                                               caps, result);
                if (!ec) note_primary_settings(b, result);
                if (const auto parsed = GtidPosition::parse(b.gtid_position)) {
                    timeline_.note(*parsed, Clock::now());
                }
            }
        }
        if (ec || (!b.is_primary && result.failed)) {
            note_failure(b, config_.failure_threshold,
                         diagnostics.empty() ? ec.message() : diagnostics);
            channel.reset();
        } else {
            if (b.consecutive_failures >= config_.failure_threshold || !b.ever_reached) {
                obs::log(obs::LogLevel::info, "backend_up", {{"server", b.name}});
                if (!b.is_primary) co_await check_backend_account(b);
            }
            b.consecutive_failures = 0;
            b.ever_reached = true;
            b.ping_ms.add(rtt_ms, config_.ewma_weight);
            if (!b.is_primary) {
                const ReplicationStatus r = read_replication(result, b.replication_lag_s);
                if (r.link != b.replication) {
                    const bool streaming = r.link == ReplicationLink::streaming;
                    obs::log(streaming ? obs::LogLevel::info : obs::LogLevel::warn,
                             link_event(r.link), {{"server", b.name}});
                }
                if (r.link == ReplicationLink::reconnecting &&
                    b.replication != ReplicationLink::reconnecting) {
                    b.reconnecting_since = Clock::now();
                }
                b.replication = r.link;
                // Reconnecting keeps the lag it had: with its primary gone, it lacks nothing
                // it could still get, however old the primary's last position grows.
                const double delay_s = std::chrono::duration<double>(measured_delay).count();
                b.replication_lag_s =
                    r.link == ReplicationLink::reconnecting ? r.lag_s : std::max(r.lag_s, delay_s);
                b.lag_held_back = held_back_for_lag(b.lag_held_back, b.replication_lag_s,
                                                    limits_.max_replication_lag_s);
            }
        }
        if (health_changed_ && health() != health_before) health_changed_();
        timer.expires_at(tick_start + config_.monitor_interval);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

// read_only is what keeps a replica's data equal to the primary's; sqlgate sends only reads
// there (and opens its replica sessions READ ONLY), but an account that bypasses read_only
// turns any mistake into a replica that diverges and stops replicating. Checked each time
// the replica comes (back) up, so a grant added later is seen.
awaitable<void> ReplicaMonitor::check_backend_account(const BackendState& b) {
    const net::Login login{.user = config_.backend.user, .password = config_.backend.password};
    AdminConnection connection(executor_, b);
    bool ok = co_await connection.open(login, config_.connect_timeout);
    if (ok) ok = co_await connection.run("SHOW GRANTS", config_.connect_timeout);
    if (!ok) co_return;  // the sessions will report what is wrong with the account
    std::vector<std::string> grants;
    for (const auto& row : connection.result().rows) {
        if (!row.empty() && row[0]) grants.push_back(*row[0]);
    }
    if (const auto privilege = read_only_bypass(grants)) {
        obs::log(obs::LogLevel::warn, "replica_account_bypasses_read_only",
                 {{"server", b.name},
                  {"user", config_.backend.user},
                  {"privilege", std::string(*privilege)},
                  {"advice",
                   "grant the proxy's backend account only what it needs (SELECT, ...): with "
                   "this privilege a write that reaches a replica is not refused"}});
    }
}

}  // namespace sqlgate::proxy
