#include "proxy/replica_monitor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "net/deadline.hpp"
#include "obs/log.hpp"

namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using boost::system::error_code;

struct ReplicationStatus {
    bool running = false;
    double lag_s = 0;
};

// SHOW SLAVE STATUS on a server that is no replica returns no row: not running.
ReplicationStatus read_replication(const net::CommandResult& r) {
    ReplicationStatus s;
    s.running = r.first_row_value("Slave_IO_Running") == "Yes" &&
                r.first_row_value("Slave_SQL_Running") == "Yes";
    if (const auto lag = r.first_row_value("Seconds_Behind_Master")) {
        s.lag_s = std::strtod(lag->c_str(), nullptr);
    } else {
        s.running = false;
    }
    return s;
}

void note_failure(BackendState& b, int threshold, std::string error) {
    ++b.consecutive_failures;
    if (b.consecutive_failures == threshold) {
        obs::log(obs::LogLevel::warn, "backend_down", {{"server", b.name}, {"error", error}});
    }
    b.last_error = std::move(error);
}

}  // namespace

void ReplicaMonitor::start() {
    for (BackendState& b : backends_) {
        boost::asio::co_spawn(executor_, watch(b), boost::asio::detached);
    }
}

awaitable<void> ReplicaMonitor::watch(BackendState& b) {
    const net::Login login{.user = config_.monitor.user, .password = config_.monitor.password};
    const auto caps = login.capabilities;
    std::unique_ptr<net::PacketChannel> channel;
    boost::asio::steady_timer timer(executor_);
    net::CommandResult result;
    for (;;) {
        const auto tick_start = Clock::now();
        error_code ec;
        std::string diagnostics;
        if (!channel) {
            channel = std::make_unique<net::PacketChannel>(net::tcp::socket(executor_));
            net::ServerInfo info;
            ec = co_await net::connect_and_login(*channel, b.address, login,
                                                 config_.connect_timeout, info, diagnostics);
            if (!ec) b.server_version = info.version;
        }
        double rtt_ms = 0;
        if (!ec) {
            net::DeadlineGuard deadline(channel->socket(), config_.connect_timeout);
            const auto sent = Clock::now();
            ec = co_await net::run_command(*channel, mysql::Command::ping, "", caps, result);
            rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
            if (!ec && !b.is_primary) {
                ec = co_await net::run_command(*channel, mysql::Command::query, "SHOW SLAVE STATUS",
                                               caps, result);
                if (!ec && result.failed) diagnostics = result.error_message;
            }
        }
        if (ec || (!b.is_primary && result.failed)) {
            note_failure(b, config_.failure_threshold,
                         diagnostics.empty() ? ec.message() : diagnostics);
            channel.reset();
        } else {
            if (b.consecutive_failures >= config_.failure_threshold || !b.ever_reached) {
                obs::log(obs::LogLevel::info, "backend_up", {{"server", b.name}});
            }
            b.consecutive_failures = 0;
            b.ever_reached = true;
            b.ping_ms.add(rtt_ms, config_.ewma_weight);
            if (!b.is_primary) {
                const ReplicationStatus r = read_replication(result);
                if (r.running != b.replication_running) {
                    obs::log(r.running ? obs::LogLevel::info : obs::LogLevel::warn,
                             r.running ? "replication_running" : "replication_stopped",
                             {{"server", b.name}});
                }
                b.replication_running = r.running;
                b.replication_lag_s = r.lag_s;
            }
        }
        timer.expires_at(tick_start + config_.monitor_interval);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

}  // namespace sqlgate::proxy
