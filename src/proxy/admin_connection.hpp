// One short-lived connection of the proxy's own accounts to a database server, for the
// statements the proxy runs itself (account checks, failover): each with a deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "net/mysql_client.hpp"
#include "proxy/backend_state.hpp"

namespace sqlgate::proxy {

class AdminConnection {
  public:
    AdminConnection(boost::asio::any_io_executor executor, const BackendState& server)
        : channel_(executor), server_(server) {}

    // Connects and logs in within `timeout`; false with error() saying why.
    boost::asio::awaitable<bool> open(const net::Login& login, std::chrono::milliseconds timeout);
    // Runs `sql` within `timeout`; false with error() saying why when it could not run or
    // the server refused it. result() holds the reply either way.
    boost::asio::awaitable<bool> run(std::string_view sql, std::chrono::milliseconds timeout);
    // Runs `statements` in order, each within `timeout`, up to the first that fails.
    boost::asio::awaitable<bool> run_each(std::span<const std::string_view> statements,
                                          std::chrono::milliseconds timeout);

    const net::CommandResult& result() const { return result_; }
    const std::string& error() const { return error_; }

  private:
    net::PacketChannel channel_;
    const BackendState& server_;
    mysql::Capability capabilities_ = mysql::kProxyCapabilities;
    net::CommandResult result_;
    std::string error_;
};

}  // namespace sqlgate::proxy
