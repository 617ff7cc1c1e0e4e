// What a front role's admin listener shows of it: Prometheus metrics (the gate's decisions
// and refusals by rule), the status as JSON, and readiness (whether its upstream answers).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <utility>

#include "front/front_runtime.hpp"
#include "obs/process_metrics.hpp"

namespace sqlgate::front {

// The text of GET /metrics.
std::string front_metrics(const FrontRuntime& runtime, const obs::ProcessFigures& process);

// GET /status: the role, its upstream hop, users and what the gate decided.
std::string front_status(const FrontRuntime& runtime, const obs::ProcessFigures& process);

// GET /readyz: ready while the upstream hop answers a connection with a MySQL greeting
// (from this role's source address, so its peer check is passed too).
boost::asio::awaitable<std::pair<bool, std::string>> front_readiness(FrontRuntime& runtime);

}  // namespace sqlgate::front
