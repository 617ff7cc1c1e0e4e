#include "proxy/replication_heartbeat.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <optional>
#include <random>

#include "obs/log.hpp"
#include "proxy/admin_connection.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

namespace {

// config validated schema.table as plain identifier characters: quoting cannot be escaped.
std::string quoted_table(std::string_view qualified) {
    const std::size_t dot = qualified.find('.');
    std::string quoted;
    quoted.reserve(qualified.size() + 4);
    quoted.append(1, '`').append(qualified.substr(0, dot)).append("`.`");
    quoted.append(qualified.substr(dot + 1)).append(1, '`');
    return quoted;
}

std::uint64_t random_writer() {
    std::random_device entropy;
    const std::uint64_t high = entropy();
    // BIGINT UNSIGNED holds it; below 2^63 so it also reads back as a signed integer.
    return ((high << 32) | entropy()) >> 1;
}

}  // namespace

ReplicationHeartbeat::ReplicationHeartbeat(boost::asio::any_io_executor executor,
                                           const config::ProxyConfig& config,
                                           std::vector<BackendState>& backends)
    : executor_(std::move(executor)),
      config_(config),
      backends_(backends),
      writer_(random_writer()),
      table_(quoted_table(config.heartbeat_table)),
      read_sql_("SELECT beat FROM " + table_ + " WHERE writer = " + std::to_string(writer_)) {}

void ReplicationHeartbeat::start() {
    if (enabled()) boost::asio::co_spawn(executor_, run(), boost::asio::detached);
}

HeartbeatBeat ReplicationHeartbeat::beat_in(const net::CommandResult& reply) {
    HeartbeatBeat beat;
    if (const auto text = reply.first_value()) {
        std::from_chars(text->data(), text->data() + text->size(), beat.number);
    }
    return beat;
}

const BackendState* ReplicationHeartbeat::writable_primary() const {
    for (const BackendState& b : backends_) {
        if (b.is_primary && !b.removed && !b.fenced && !b.read_only &&
            b.reachable(config_.failure_threshold)) {
            return &b;
        }
    }
    return nullptr;
}

void ReplicationHeartbeat::note_outcome(bool written, const std::string& error) {
    if (written == !failing_) return;
    failing_ = !written;
    if (written) {
        obs::log(obs::LogLevel::info, "heartbeat_written", {{"table", config_.heartbeat_table}});
        return;
    }
    obs::log(obs::LogLevel::warn, "heartbeat_failed",
             {{"table", config_.heartbeat_table},
              {"error", error},
              {"advice",
               "the monitor's account needs CREATE, INSERT, UPDATE, DELETE and SELECT on the "
               "heartbeat table's schema; lag is still measured by GTID position"}});
}

awaitable<void> ReplicationHeartbeat::run() {
    const net::Login login{.user = config_.monitor.user, .password = config_.monitor.password};
    const std::string upsert_head = "INSERT INTO " + table_ +
                                    " (writer, beat, written_at) VALUES (" +
                                    std::to_string(writer_) + ", ";
    const std::string upsert_tail =
        ", NOW(6)) ON DUPLICATE KEY UPDATE beat = VALUES(beat), written_at = VALUES(written_at)";
    const std::string schema = table_.substr(0, table_.find('.'));  // `schema`
    const std::string create_schema = "CREATE DATABASE IF NOT EXISTS " + schema;
    const std::string create_table =
        "CREATE TABLE IF NOT EXISTS " + table_ +
        " (writer BIGINT UNSIGNED NOT NULL PRIMARY KEY, beat BIGINT UNSIGNED NOT NULL, "
        "written_at TIMESTAMP(6) NOT NULL) ENGINE=InnoDB";
    // Rows of proxies gone for a day (each start writes its own row).
    const std::string prune =
        "DELETE FROM " + table_ + " WHERE written_at < NOW(6) - INTERVAL 1 DAY";
    const std::string_view setup[] = {create_schema, create_table, prune};

    std::optional<AdminConnection> connection;
    const BackendState* connected_to = nullptr;
    boost::asio::steady_timer timer(executor_);
    for (;;) {
        const auto tick_start = Clock::now();
        const BackendState* primary = writable_primary();
        if (primary != connected_to) {  // a failover, or the primary went away
            connection.reset();
            connected_to = nullptr;
        }
        if (primary != nullptr) {
            bool ok = true;
            if (!connection) {
                connection.emplace(executor_, *primary);
                ok = co_await connection->open(login, config_.connect_timeout) &&
                     co_await connection->run_each(setup, config_.connect_timeout);
                if (ok) connected_to = primary;
            }
            if (ok) {
                const std::uint64_t beat = next_beat_++;
                // Within the connect timeout: a semi-synchronous primary may hold the commit
                // until a replica acknowledges it.
                ok = co_await connection->run(upsert_head + std::to_string(beat) + upsert_tail,
                                              config_.connect_timeout);
                if (ok) timeline_.note({beat}, Clock::now());
            }
            note_outcome(ok, ok ? std::string() : connection->error());
            if (!ok) {
                connection.reset();
                connected_to = nullptr;
            }
        }
        timer.expires_at(tick_start + config_.heartbeat_interval);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

}  // namespace sqlgate::proxy
