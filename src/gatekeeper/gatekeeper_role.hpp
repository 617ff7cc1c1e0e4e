// The gatekeeper: the only public role. Authenticates users with its own password hashes and
// API tokens, checks every statement, and asserts the user to the trusted host over mTLS.
#pragma once

#include "config/front_config.hpp"
#include "front/front_runtime.hpp"

namespace sqlgate::gatekeeper {

front::FrontSettings front_settings(const config::GatekeeperConfig& config);

// Serves the MySQL listener and the HTTP API until SIGINT or SIGTERM; throws on start-up
// failures.
void run_gatekeeper(const config::GatekeeperConfig& config);

}  // namespace sqlgate::gatekeeper
