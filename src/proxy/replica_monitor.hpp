// Watches every backend on a short interval: a ping whose round trip feeds the response-time
// average, and on replicas the replication threads and lag (in time, by GTID position).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/proxy_config.hpp"
#include "proxy/backend_state.hpp"
#include "proxy/replica_selector.hpp"
#include "proxy/replication_delay.hpp"
#include "proxy/replication_heartbeat.hpp"

namespace sqlgate::proxy {

// The privilege in `grants` (the rows of SHOW GRANTS) that lets an account write on a
// replica despite read_only: SUPER, READ_ONLY ADMIN or ALL PRIVILEGES on *.*; nullopt if none.
std::optional<std::string_view> read_only_bypass(const std::vector<std::string>& grants);

class ReplicaMonitor {
  public:
    // `limits` are the runtime's, which a reload updates: the lag a replica is held back for.
    ReplicaMonitor(boost::asio::any_io_executor executor, const config::ProxyConfig& config,
                   std::vector<BackendState>& backends, const SelectionLimits& limits)
        : executor_(std::move(executor)),
          config_(config),
          backends_(backends),
          limits_(limits),
          heartbeat_(executor_, config, backends) {}

    // Starts one watching coroutine per backend, and the heartbeat; they run until the
    // executor stops.
    void start();
    // Starts watching a backend a reload added.
    void start_watching(BackendState& backend);
    // Called on the monitor's thread when a backend's health changes (down, up, its
    // replication stopped or back, held back for lag or not).
    void on_health_change(std::function<void()> changed) { health_changed_ = std::move(changed); }

  private:
    boost::asio::awaitable<void> watch(BackendState& backend);
    // Logs a warning when the proxy's backend account can write on replica `backend`.
    boost::asio::awaitable<void> check_backend_account(const BackendState& backend);

    boost::asio::any_io_executor executor_;
    const config::ProxyConfig& config_;
    std::vector<BackendState>& backends_;
    const SelectionLimits& limits_;
    PrimaryTimeline timeline_;  // the primary's positions, which replicas' delays are timed by
    ReplicationHeartbeat heartbeat_;
    std::function<void()> health_changed_;
};

}  // namespace sqlgate::proxy
