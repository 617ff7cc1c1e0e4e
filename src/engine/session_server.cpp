#include "engine/session_server.hpp"

#include <boost/asio/signal_set.hpp>

#include "obs/log.hpp"

namespace sqlgate::engine {

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
