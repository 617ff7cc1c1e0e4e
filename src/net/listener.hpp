// Accepting TCP clients for every role: bind a listener, and an accept loop that refuses
// sources outside the allowlist before reading a byte and survives accept errors.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

#include "net/peer_check.hpp"
#include "obs/connection_counters.hpp"

namespace sqlgate::net {

// Opens, binds and listens; throws std::runtime_error naming the address (start-up only).
boost::asio::ip::tcp::acceptor open_listener(boost::asio::any_io_executor executor,
                                             const std::string& address, std::uint16_t port);

// Awaited before each accept: a role whose threads are behind leaves new clients in the
// kernel's listen queue until it returns.
using AcceptPace = std::function<boost::asio::awaitable<void>()>;

// Accepts until the acceptor is closed. Sockets from allowed sources go to `serve` (which
// spawns their session); others are logged, counted in `counters` and closed at once.
// `pace`, when set, is awaited before each accept.
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor,
                                         const PeerCheck& peers, std::string role,
                                         obs::ConnectionCounters& counters,
                                         std::function<void(boost::asio::ip::tcp::socket)> serve,
                                         AcceptPace pace = {});

// The handler for co_spawn'ed sessions: an exception escaping one is logged, not fatal.
void log_session_exception(std::exception_ptr e);

}  // namespace sqlgate::net
