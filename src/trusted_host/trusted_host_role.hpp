// The trusted host: accepts only the gatekeeper (certificate and source address), checks the
// same policy again, and logs each user in to the proxy with credentials only it holds.
#pragma once

#include "config/front_config.hpp"
#include "front/front_runtime.hpp"

namespace sqlgate::trusted_host {

front::FrontSettings front_settings(const config::TrustedHostConfig& config);

// Serves until SIGINT or SIGTERM; throws std::exception on start-up failures.
void run_trusted_host(const config::TrustedHostConfig& config);

}  // namespace sqlgate::trusted_host
