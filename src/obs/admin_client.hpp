// The client side of a role's admin listener: one HTTP request to a loopback address, its
// status and body; awaited by a role (the dashboard's view of its peers) or blocking for the
// command line (`sqlgate switchover`, `sqlgate status`).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "obs/admin_server.hpp"

namespace sqlgate::obs {

// Sends `method target` to `address` ("127.0.0.1:9190") and returns the answer; status 0
// with the reason in `body` when there is none (no listener, a timeout, a malformed address).
boost::asio::awaitable<AdminAnswer> fetch_admin(std::string address, std::string method,
                                                std::string target,
                                                std::chrono::milliseconds timeout);
// The same, blocking (for the command line).
AdminAnswer call_admin(std::string_view address, std::string_view method, std::string_view target,
                       std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace sqlgate::obs
