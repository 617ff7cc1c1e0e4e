#include "proxy/proxy_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>

#include "net/listener.hpp"
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

}  // namespace

void run_proxy(const config::ProxyConfig& config) {
    boost::asio::io_context io(1);
    ProxyRuntime runtime(config);
    tcp::acceptor acceptor =
        net::open_listener(io.get_executor(), config.listen_address, config.listen_port);
    ReplicaMonitor monitor(io.get_executor(), config, runtime.backends());
    monitor.start();
    const auto serve = [&runtime, &io](tcp::socket socket) {
        boost::asio::co_spawn(io, serve_client(runtime, std::move(socket)),
                              net::log_session_exception);
    };
    boost::asio::co_spawn(io, net::accept_loop(acceptor, runtime.peers(), "proxy", serve),
                          boost::asio::detached);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int signal) {
        obs::log(obs::LogLevel::info, "stopping", {{"signal", std::to_string(signal)}});
        io.stop();
    });
    obs::log(
        obs::LogLevel::info, "proxy_listening",
        {{"address", config.listen_address},
         {"port", std::to_string(config.listen_port)},
         {"servers", std::to_string(config.servers.size())},
         {"tls", config.require_tls ? "required" : (config.tls.enabled() ? "offered" : "off")}});
    io.run();
}

}  // namespace sqlgate::proxy
