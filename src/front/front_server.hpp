// Serving a front role: the MySQL listener whose accepted clients each run the session engine
// with FrontStages.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "front/front_runtime.hpp"

namespace sqlgate::front {

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

}  // namespace sqlgate::front
