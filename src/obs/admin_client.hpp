// The client side of a role's admin listener, for the command line (`sqlgate switchover`):
// one blocking HTTP request to a loopback address, its status and body.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "obs/admin_server.hpp"

namespace sqlgate::obs {

// Sends `method target` to `address` ("127.0.0.1:9190") and returns the answer; status 0
// with the reason in `body` when there is none (no listener, a timeout, a malformed address).
AdminAnswer call_admin(std::string_view address, std::string_view method, std::string_view target,
                       std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace sqlgate::obs
