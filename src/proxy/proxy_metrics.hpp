// What the proxy's admin listener shows of it: Prometheus metrics (every server's health,
// replication and statements; errors; failovers) and the topology as JSON.
#pragma once

#include <string>

#include "obs/process_metrics.hpp"
#include "proxy/proxy_runtime.hpp"

namespace sqlgate::proxy {

// The text of GET /metrics.
std::string proxy_metrics(ProxyRuntime& runtime, const ProxyTraffic& traffic,
                          const obs::ProcessFigures& process);

// `runtime` is the control thread's (health), `traffic` every thread's figures.
// GET /status: the servers as the proxy sees them (role, health, replication, lag,
// statements by route) with the failover state and the process figures.
std::string proxy_status(ProxyRuntime& runtime, const ProxyTraffic& traffic,
                         const obs::ProcessFigures& process);

// GET /readyz: whether the proxy can serve (a server it can send reads or writes to), and
// the JSON that says so.
std::pair<bool, std::string> proxy_readiness(ProxyRuntime& runtime);

}  // namespace sqlgate::proxy
