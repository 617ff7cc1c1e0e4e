#include "proxy/proxy_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <stdexcept>

#include "obs/log.hpp"
#include "proxy/client_session.hpp"
#include "proxy/proxy_runtime.hpp"
#include "proxy/replica_monitor.hpp"

namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using net::tcp;

awaitable<void> serve_client(ProxyRuntime& runtime, tcp::socket socket) {
    ClientSession session(runtime, std::move(socket));
    co_await session.run();
}

awaitable<void> accept_clients(ProxyRuntime& runtime, tcp::acceptor& acceptor) {
    boost::asio::steady_timer backoff(acceptor.get_executor());
    for (;;) {
        auto [ec, socket] =
            co_await acceptor.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == boost::asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors and the like: say so, pause so the loop does not spin on an
            // error that repeats at once, and keep accepting.
            obs::log(obs::LogLevel::error, "accept_failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            continue;
        }
        boost::asio::co_spawn(
            acceptor.get_executor(), serve_client(runtime, std::move(socket)),
            [](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    obs::log(obs::LogLevel::error, "session_failed", {{"error", ex.what()}});
                }
            });
    }
}

}  // namespace

void run_proxy(const config::ProxyConfig& config) {
    boost::asio::io_context io(1);
    ProxyRuntime runtime(config);
    const tcp::endpoint endpoint(boost::asio::ip::make_address(config.listen_address),
                                 config.listen_port);
    tcp::acceptor acceptor(io);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(tcp::socket::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + config.listen_address + ":" +
                                 std::to_string(config.listen_port) + ": " + ec.message());
    }
    ReplicaMonitor monitor(io.get_executor(), config, runtime.backends());
    monitor.start();
    boost::asio::co_spawn(io, accept_clients(runtime, acceptor), boost::asio::detached);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int signal) {
        obs::log(obs::LogLevel::info, "stopping", {{"signal", std::to_string(signal)}});
        io.stop();
    });
    obs::log(obs::LogLevel::info, "proxy_listening",
             {{"address", config.listen_address},
              {"port", std::to_string(config.listen_port)},
              {"servers", std::to_string(config.servers.size())}});
    io.run();
}

}  // namespace sqlgate::proxy
