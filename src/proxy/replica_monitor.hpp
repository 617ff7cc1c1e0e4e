// Watches every backend on a short interval: a ping whose round trip feeds the response-time
// average, and on replicas the replication threads and lag. Writes into BackendState.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <vector>

#include "config/proxy_config.hpp"
#include "proxy/backend_state.hpp"

namespace sqlgate::proxy {

class ReplicaMonitor {
  public:
    ReplicaMonitor(boost::asio::any_io_executor executor, const config::ProxyConfig& config,
                   std::vector<BackendState>& backends)
        : executor_(std::move(executor)), config_(config), backends_(backends) {}

    // Starts one watching coroutine per backend; they run until the executor stops.
    void start();

  private:
    boost::asio::awaitable<void> watch(BackendState& backend);

    boost::asio::any_io_executor executor_;
    const config::ProxyConfig& config_;
    std::vector<BackendState>& backends_;
};

}  // namespace sqlgate::proxy
