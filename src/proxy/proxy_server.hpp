// The proxy role: listens for clients, runs the session engine with ProxySession for each, and
// keeps the ReplicaMonitor watching the backends. Everything runs on one io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>

#include "config/proxy_config.hpp"

namespace sqlgate::proxy {

// Serves until SIGINT or SIGTERM, then lets each session finish its current command. Throws at
// start-up when the listener cannot be opened.
void run_proxy(const config::ProxyConfig& config);

}  // namespace sqlgate::proxy
