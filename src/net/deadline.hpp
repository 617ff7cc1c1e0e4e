// Closes a socket when a deadline passes, so that any coroutine blocked on it resumes with
// an error; cancelled when the guard goes out of scope.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace sqlgate::net {

class DeadlineGuard {
  public:
    DeadlineGuard(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout)
        : timer_(socket.get_executor(), timeout), expired_(std::make_shared<bool>(false)) {
        timer_.async_wait([s = &socket, expired = expired_](const boost::system::error_code& ec) {
            if (ec) return;  // cancelled: the socket may be gone, do not touch it
            *expired = true;
            boost::system::error_code ignored;
            s->close(ignored);
        });
    }
    ~DeadlineGuard() { timer_.cancel(); }
    DeadlineGuard(const DeadlineGuard&) = delete;
    DeadlineGuard& operator=(const DeadlineGuard&) = delete;

    bool expired() const { return *expired_; }

  private:
    boost::asio::steady_timer timer_;
    std::shared_ptr<bool> expired_;
};

}  // namespace sqlgate::net
