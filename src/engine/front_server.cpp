#include "engine/front_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>

#include "engine/front_session.hpp"
#include "net/listener.hpp"
#include "obs/log.hpp"

namespace sqlgate::engine {
namespace {

boost::asio::awaitable<void> serve_client(FrontRuntime& runtime, net::tcp::socket socket) {
    FrontSession session(runtime, std::move(socket));
    co_await session.run();
}

}  // namespace

FrontServer::FrontServer(boost::asio::io_context& io, FrontRuntime& runtime)
    : io_(io),
      runtime_(runtime),
      acceptor_(net::open_listener(io.get_executor(), runtime.settings().listener.address,
                                   runtime.settings().listener.port)) {}

void FrontServer::start() {
    const auto serve = [this](net::tcp::socket socket) {
        boost::asio::co_spawn(io_, serve_client(runtime_, std::move(socket)),
                              net::log_session_exception);
    };
    boost::asio::co_spawn(
        io_, net::accept_loop(acceptor_, runtime_.peers(), runtime_.settings().role, serve),
        boost::asio::detached);
    const auto& s = runtime_.settings();
    obs::log(obs::LogLevel::info, "listening",
             {{"role", s.role},
              {"address", s.listener.address},
              {"port", std::to_string(local_endpoint().port())},
              {"upstream", s.upstream.address + ":" + std::to_string(s.upstream.port)},
              {"tls", s.tls.enabled() ? "on" : "off"}});
}

void run_until_stopped(boost::asio::io_context& io, std::string_view role) {
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io, role](const boost::system::error_code&, int signal) {
        obs::log(obs::LogLevel::info, "stopping",
                 {{"role", role}, {"signal", std::to_string(signal)}});
        io.stop();
    });
    io.run();
}

}  // namespace sqlgate::engine
