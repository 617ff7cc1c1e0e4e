// Serving a front role: the MySQL listener whose accepted clients each get a FrontSession,
// and running an io_context until SIGINT or SIGTERM.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "engine/front_runtime.hpp"

namespace sqlgate::engine {

class FrontServer {
  public:
    // Binds the listener; throws std::runtime_error when it cannot (start-up only).
    FrontServer(boost::asio::io_context& io, FrontRuntime& runtime);
    void start();
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  private:
    boost::asio::io_context& io_;
    FrontRuntime& runtime_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

// Runs `io` on this thread until a SIGINT or SIGTERM arrives.
void run_until_stopped(boost::asio::io_context& io, std::string_view role);

}  // namespace sqlgate::engine
