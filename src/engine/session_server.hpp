// Serving a role: every accepted client gets a ClientConnection, the role's stages and a
// ServerSession; and running an io_context until SIGINT or SIGTERM.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <string_view>

#include "engine/client_connection.hpp"
#include "engine/server_session.hpp"
#include "net/listener.hpp"

namespace sqlgate::engine {

// `Stages` is built as Stages(runtime, client) and says how its client meets the listener
// with listener_settings(); `Runtime` hands out connection ids and knows the allowed peers.
template <typename Stages, typename Runtime>
boost::asio::awaitable<void> serve_client(Runtime& runtime, net::tcp::socket socket) {
    ClientConnection client(std::move(socket), runtime.next_connection_id());
    Stages stages(runtime, client);
    ServerSession session(client, stages, stages.listener_settings());
    co_await session.run();
}

// Accepts on `acceptor` until it is closed, each client served on `io`.
template <typename Stages, typename Runtime>
void start_serving(boost::asio::io_context& io, net::tcp::acceptor& acceptor, Runtime& runtime,
                   std::string role) {
    const auto serve = [&io, &runtime](net::tcp::socket socket) {
        boost::asio::co_spawn(io, serve_client<Stages>(runtime, std::move(socket)),
                              net::log_session_exception);
    };
    boost::asio::co_spawn(io, net::accept_loop(acceptor, runtime.peers(), std::move(role), serve),
                          boost::asio::detached);
}

// Runs `io` on this thread until a SIGINT or SIGTERM arrives.
void run_until_stopped(boost::asio::io_context& io, std::string_view role);

}  // namespace sqlgate::engine
